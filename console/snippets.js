// "Copy as" for the request just made: curl, Python (requests) and the Node SDK.

const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const sh = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
const py = (s) => JSON.stringify(String(s));

/** request: {dialect, name, path, fields} (fields without the image). */
export function snippet(kind, request, { origin, apiKey }) {
  const ak = apiKey || '<API Key>';
  const entries = Object.entries(request.fields);
  if (request.dialect === 'kakao') {
    if (kind === 'curl') return `curl -s ${sh(origin + request.path)} \\\n  -H ${sh(`Authorization: KakaoAK ${ak}`)} \\\n  -F file=@photo.jpg`;
    if (kind === 'python') {
      return `import requests\n\nwith open("photo.jpg", "rb") as f:\n    r = requests.post(${py(origin + request.path)},\n                      headers={"Authorization": "KakaoAK " + ${py(ak)}},\n                      files={"file": f})\nprint(r.json())`;
    }
    return `import { readFile } from 'node:fs/promises';\nimport { BodylensClient } from 'bodylens/client';\n\nconst client = new BodylensClient({ baseUrl: ${JSON.stringify(origin)}, apiKey: ${JSON.stringify(ak)}, secretKey: process.env.SK });\nconsole.log(await client.pose(await readFile('photo.jpg')));`;
  }
  const url = `${origin}${request.path}`;
  if (kind === 'curl') {
    return [
      `AK=${sh(ak)}; SK='<Secret Key>'`,
      `TOKEN=$(curl -s "${origin}/oauth/2.0/token?grant_type=client_credentials&client_id=$AK&client_secret=$SK" | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
      'base64 -w0 photo.jpg > photo.b64',
      `curl -s "${url}?access_token=$TOKEN" \\\n  --data-urlencode image@photo.b64${entries.map(([k, v]) => ` \\\n  --data-urlencode ${sh(`${k}=${v}`)}`).join('')}`,
    ].join('\n');
  }
  if (kind === 'python') {
    const data = ['"image": image', ...entries.map(([k, v]) => `${py(k)}: ${py(v)}`)].join(', ');
    return [
      'import base64, requests',
      '',
      `HOST = ${py(origin)}`,
      `AK, SK = ${py(ak)}, "<Secret Key>"`,
      'token = requests.post(HOST + "/oauth/2.0/token", params={"grant_type": "client_credentials", "client_id": AK, "client_secret": SK}).json()["access_token"]',
      'with open("photo.jpg", "rb") as f:',
      '    image = base64.b64encode(f.read()).decode()',
      `r = requests.post(HOST + ${py(request.path)}, params={"access_token": token}, data={${data}})`,
      'print(r.json())',
    ].join('\n');
  }
  const options = entries.length ? `, { ${entries.map(([k, v]) => `${/^[a-z_]\w*$/i.test(k) ? k : JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }` : '';
  return [
    "import { readFile } from 'node:fs/promises';",
    "import { BodylensClient } from 'bodylens/client';",
    '',
    `const client = new BodylensClient({ baseUrl: ${JSON.stringify(origin)}, apiKey: ${JSON.stringify(ak)}, secretKey: process.env.SK });`,
    `const image = (await readFile('photo.jpg')).toString('base64');`,
    `console.log(await client.${camel(request.name)}(image${options}));`,
  ].join('\n');
}
