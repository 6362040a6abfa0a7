// Console strings in English and Chinese. Field descriptions come from the endpoint tables (English).
export const STRINGS = {
  en: {
    console: 'console', nav_try: 'Try', nav_video: 'Video', nav_apps: 'Apps',
    creds_title: 'Credentials', api_key: 'API Key', secret_key: 'Secret Key', get_token: 'Get token', access_token: 'Access token',
    api: 'API', image: 'Image', camera: 'Camera', snap: 'Take frame', run: 'Run',
    area_hint: 'Click on the image to draw an area; double-click closes it.', area_close: 'Close area', area_clear: 'Clear areas',
    input_picture: 'Input (draw areas here)', result_picture: 'Result', raw_json: 'Raw JSON', copy_as: 'Copy as', copy: 'Copy',
    video_mode: 'Mode', mode_tracking: 'body_tracking: frames as one case', mode_kakao: 'Kakao pose job', video: 'Video',
    fps: 'Frames per second sent', max_frames: 'At most frames', video_area_hint: 'Click on the first frame to draw the counting area; double-click closes it.',
    admin_key: 'Admin key', load_apps: 'Load apps', show_revoked: 'show revoked', new_app: 'New app', edit_app: 'Edit app',
    name: 'Name', apis: 'APIs (comma-separated, empty = all)', apis_short: 'APIs', create: 'Create', save: 'Save',
    limits: 'Limits (qps / day / total)', today: 'Today', state: 'State', usage: 'Usage', group_by: 'Group by', outcome: 'outcome',
    active: 'active', revoked: 'revoked', edit: 'Edit', revoke: 'Revoke', reinstate: 'Reinstate', rotate: 'Rotate secret', show_usage: 'Usage',
    planned: 'planned', not_served: 'not served here',
    need_token: 'Enter an access token, or an API Key and Secret Key and press "Get token".',
    need_image: 'Choose an image or take a camera frame first.', need_video: 'Choose a video first.', need_admin: 'Enter the admin key (BODYLENS_ADMIN_KEY).',
    token_ok: 'token ok, expires in {s} s', running: 'running…', done_in: 'answered in {ms} ms', error_code: 'error {code}: {msg}',
    frames_sent: 'frame {i} / {n}', uploading: 'uploading…', job_state: 'job {id}: {state} {p}%', no_camera: 'no camera: {msg}',
    secret_once: 'Secret Key (shown once): {sk}', confirm_revoke: 'Revoke app {id}? Its tokens end at once.', confirm_rotate: 'New Secret Key for {id}? Its tokens end at once.',
    no_usage: 'no requests in this period', requests: 'requests', counted_in: 'in', counted_out: 'out', people: 'people', case_id: 'case_id', frames: 'frames',
    copied: 'copied', finished: 'finished', kakao_uses_key: 'Kakao calls use the API Key (Authorization: KakaoAK <API Key>).',
  },
  zh: {
    console: '控制台', nav_try: '在线调试', nav_video: '视频', nav_apps: '应用管理',
    creds_title: '鉴权', api_key: 'API Key', secret_key: 'Secret Key', get_token: '获取 token', access_token: 'Access Token',
    api: '接口', image: '图片', camera: '摄像头', snap: '拍一帧', run: '运行',
    area_hint: '在图片上点击绘制区域，双击闭合。', area_close: '闭合区域', area_clear: '清除区域',
    input_picture: '输入图片（可在此绘制区域）', result_picture: '结果图', raw_json: '原始 JSON', copy_as: '复制为', copy: '复制',
    video_mode: '模式', mode_tracking: 'body_tracking：逐帧作为同一 case', mode_kakao: 'Kakao 视频姿态任务', video: '视频',
    fps: '每秒发送帧数', max_frames: '最多帧数', video_area_hint: '在第一帧上点击绘制统计区域，双击闭合。',
    admin_key: '管理密钥', load_apps: '加载应用', show_revoked: '显示已停用', new_app: '新建应用', edit_app: '编辑应用',
    name: '名称', apis: '接口权限（逗号分隔，留空 = 全部）', apis_short: '接口', create: '创建', save: '保存',
    limits: '限额（QPS / 每日 / 总量）', today: '今日', state: '状态', usage: '用量', group_by: '分组', outcome: '结果',
    active: '正常', revoked: '已停用', edit: '编辑', revoke: '停用', reinstate: '恢复', rotate: '重置密钥', show_usage: '用量',
    planned: '规划中', not_served: '本服务未加载',
    need_token: '请填写 Access Token，或填写 API Key 与 Secret Key 后点击“获取 token”。',
    need_image: '请先选择图片或拍一帧。', need_video: '请先选择视频。', need_admin: '请填写管理密钥（BODYLENS_ADMIN_KEY）。',
    token_ok: 'token 有效，{s} 秒后过期', running: '运行中…', done_in: '耗时 {ms} 毫秒', error_code: '错误 {code}：{msg}',
    frames_sent: '第 {i} / {n} 帧', uploading: '上传中…', job_state: '任务 {id}：{state} {p}%', no_camera: '无法打开摄像头：{msg}',
    secret_once: 'Secret Key（仅显示一次）：{sk}', confirm_revoke: '停用应用 {id}？其 token 立即失效。', confirm_rotate: '为 {id} 生成新的 Secret Key？其 token 立即失效。',
    no_usage: '该时段没有请求', requests: '请求数', counted_in: '进入', counted_out: '离开', people: '人数', case_id: 'case_id', frames: '帧数',
    copied: '已复制', finished: '完成', kakao_uses_key: 'Kakao 接口使用 API Key 鉴权（Authorization: KakaoAK <API Key>）。',
  },
};

/** The browser's language picks Chinese for any zh-*; English otherwise. A stored choice wins. */
export function initialLanguage(stored, languages) {
  if (stored === 'zh' || stored === 'en') return stored;
  return (languages || []).some((l) => /^zh\b/i.test(l)) ? 'zh' : 'en';
}
