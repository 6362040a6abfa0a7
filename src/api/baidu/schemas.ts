/**
 * JSON Schemas of the online dialect's success bodies, one per shaper (format.ts, *-format.ts),
 * named in the endpoint rows (`response`). The e2e test `test/e2e/openapi.test.ts` validates real
 * answers against them, and `/openapi.json` and the SDK's types are generated from them.
 */
import { BODY21_KEYPOINTS } from '../../types.js';
import { ATTRIBUTE_NAMES, ATTRIBUTE_VALUES } from '../../vision/attributes/index.js';
import { GESTURE_CLASSES } from '../../vision/gesture.js';
import { ID_PHOTO_POINTS } from '../../capabilities/body_seg_photo/index.js';
import { DRIVER_BEHAVIORS } from '../../capabilities/driver_behavior/index.js';
import { arr, base64, int, named, num, obj, oneOfValues, score, str, type JsonSchema } from '../schema.js';

export const logId = int('unique id of this request (quote it when asking about one)');

/** A failed online call (every route under /rest/2.0/, HTTP 200). */
export const BAIDU_ERROR_SCHEMA = obj({ log_id: logId, error_code: int('Baidu error code'), error_msg: str('Baidu error message (some carry ": detail")') });

const point = (integer: boolean) => named(integer ? 'PixelPoint' : 'BodyPoint', obj({ y: integer ? int() : num(), x: integer ? int() : num(), score: score() }));
const box = (integer: boolean, withScore: boolean, scoreSchema: JsonSchema = score()) => {
  const n = () => (integer ? int() : num());
  const schema = obj(withScore ? { height: n(), width: n(), top: n(), score: scoreSchema, left: n() } : { left: n(), top: n(), width: n(), height: n() });
  // Boxes of the same shape share a name; hand_analysis's 0-21 score makes its own.
  const title = `${integer ? 'Pixel' : ''}Box${withScore ? (scoreSchema.maximum === 1 || scoreSchema.maximum === undefined ? 'Scored' : `Score${scoreSchema.maximum}`) : ''}`;
  return named(title, schema);
};

export const BODY_ANALYSIS_SCHEMA = obj({
  person_num: int('people found'),
  person_info: arr(
    obj({
      body_parts: obj(Object.fromEntries(BODY21_KEYPOINTS.map((k) => [k, point(false)])), [], 'the 21 named points, original pixels'),
      location: box(false, true),
    }),
  ),
  log_id: logId,
});

/** One answered attribute: the most probable value of its vocabulary and its probability. */
export const attributesSchema = named(
  'Attributes',
  obj(
    Object.fromEntries(ATTRIBUTE_NAMES.map((a) => [a, obj({ score: score(), name: oneOfValues([...ATTRIBUTE_VALUES[a]]) })])),
    ATTRIBUTE_NAMES,
    'the attributes asked for (type), each the most probable value',
  ),
);

export const BODY_ATTR_SCHEMA = obj({
  person_num: int(),
  person_info: arr(obj({ attributes: attributesSchema, location: box(false, true) })),
  log_id: logId,
});

/** driver_behavior: everyone seen is counted; only the driver is described (0 or 1 entries). */
export const DRIVER_BEHAVIOR_SCHEMA = obj({
  person_num: int('people seen in the frame'),
  driver_num: oneOfValues([0, 1]),
  person_info: arr(
    obj({
      location: obj({ left: int(), top: int(), width: int(), height: int(), score: score() }),
      attributes: obj(
        Object.fromEntries(DRIVER_BEHAVIORS.map((b) => [b, obj({ score: score(), threshold: score('the score above which the behaviour is reported as present (calibrated, docs/driver.md)') })])),
        DRIVER_BEHAVIORS,
        'the behaviours asked for (type), each a probability and its threshold',
      ),
    }),
    'the driver, when one is found',
    { maxItems: 1 },
  ),
  log_id: logId,
});

export const BODY_NUM_SCHEMA = obj(
  {
    log_id: logId,
    person_num: int('people counted (in the areas, when given)'),
    area_counts: arr(int(), 'beyond Baidu: the count per area polygon'),
    image: base64('show=true: the heat-map picture, JPEG'),
  },
  ['area_counts', 'image'],
);

export const BODY_SEG_SCHEMA = obj(
  {
    log_id: logId,
    labelmap: base64('PNG, 1 where a person is'),
    scoremap: base64('PNG, person confidence 0-255'),
    foreground: base64('PNG, the person on a transparent background'),
    person_num: int(),
    person_info: arr(box(false, true)),
  },
  ['labelmap', 'scoremap', 'foreground'],
);

export const BODY_SEG_PHOTO_SCHEMA = obj({
  log_id: logId,
  seg_info: obj({ cut: base64('JPEG, head and shoulders'), scoremap: base64('PNG mask of the cut'), demo: base64('JPEG, the cut on white') }),
  face_location: obj({ score: score(), top: int(), left: int(), width: int(), height: int() }),
  pose_info: obj({
    body_parts: arr(
      { anyOf: ID_PHOTO_POINTS.map((name) => obj({ [name]: obj({ score: score(), x: int(), y: int() }) })) },
      'one single-key object per point, in order: ' + ID_PHOTO_POINTS.join(', '),
    ),
    facepose: oneOfValues([-1, 1, 2, 3, 4], '1 level frontal, 2 tilted frontal, 3 level profile, 4 tilted profile, -1 unknown'),
    bodypose: oneOfValues([-1, 1, 2, 3, 4, 5, 6], '1-3 level frontal / half-turned / side, 4-6 the same tilted, -1 unknown'),
  }),
});

export const GESTURE_SCHEMA = obj({
  log_id: logId,
  result_num: int(),
  result: arr(
    obj({ probability: score(), top: int(), height: int(), classname: oneOfValues([...GESTURE_CLASSES, 'Face', 'other']), width: int(), left: int() }),
  ),
});

const handSchema = (points: number, scoreMax: number) =>
  obj({
    log_id: logId,
    hand_num: int(),
    hand_info: arr(
      obj({
        hand_parts: obj(Object.fromEntries(Array.from({ length: points }, (_, i) => [String(i), point(true)])), [], `points "0"-"${points - 1}", whole pixels`),
        location: box(true, true, num(`hand confidence, 0-${scoreMax}`, { minimum: 0, maximum: scoreMax })),
      }),
    ),
  });
export const HAND_ANALYSIS_SCHEMA = handSchema(21, 21);
export const FINGERTIP_SCHEMA = handSchema(5, 1);

const crossing = named('Crossings', obj({ in: int(), out: int() }));
const trackingBox = box(true, false);

/** body_tracking: a still-image count (dynamic=false) or a frame of a case (dynamic=true). */
export const BODY_TRACKING_SCHEMA: JsonSchema = {
  anyOf: [
    obj(
      {
        log_id: logId,
        person_num: int(),
        person_info: arr(obj({ location: trackingBox })),
        area_counts: arr(int(), 'beyond Baidu: count per area (several areas)'),
        image: base64('show=true: the rendered picture, JPEG'),
      },
      ['area_counts', 'image'],
      'dynamic=false: a still-image count of head-shoulders',
    ),
    obj(
      {
        log_id: logId,
        person_num: int('people in this frame'),
        person_info: arr(obj({ ID: int('track id, stable within the case'), location: trackingBox })),
        person_count: crossing,
        area_counts: arr(obj({ in: int(), out: int(), inside: int() }), 'beyond Baidu (several areas, a line or totals=true)'),
        line_counts: arr(crossing, 'beyond Baidu: crossings per line at this frame'),
        totals: obj({ areas: arr(crossing), lines: arr(crossing) }, [], 'beyond Baidu: the case\'s running totals'),
        image: base64('show=true: the rendered frame, JPEG'),
      },
      ['area_counts', 'line_counts', 'totals', 'image'],
      'dynamic=true: a frame of a tracking case',
    ),
  ],
};

/** `GET|POST /oauth/2.0/token` success. */
export const TOKEN_SCHEMA = obj(
  {
    refresh_token: str(),
    expires_in: int('seconds'),
    session_key: str(),
    access_token: str('pass as ?access_token='),
    scope: str('space-separated scopes (the APIs the app may call)'),
    session_secret: str(),
  },
  ['refresh_token', 'session_key', 'session_secret'],
);
export const OAUTH_ERROR_SCHEMA = obj({ error_description: str(), error: oneOfValues(['invalid_client', 'unsupported_grant_type', 'invalid_request', 'invalid_grant']) });
