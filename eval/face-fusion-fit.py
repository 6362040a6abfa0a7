"""Gender fusion fit for src/vision/attributes/face-attributes.ts (issue 11), from eval/face-probe.ts output.

    python3 eval/face-fusion-fit.py /tmp/face-probe.jsonl [/tmp/face-mirror.jsonl]

Prints: each face model's raw gender AUC per PETA subset and crop; the fusion
P(male) = sigmoid(bias + body * logit(body male) + face * score * logit(faceres male)), the face
term only where BlazeFace found the face, fitted on both subsets pooled (the GENDER_FUSION
constants) and out of subset (fit on CUHK, score VIPeR and the reverse), with the body cues alone
for comparison. With the mirror file, the service's single-pass faceres reading replaces the
mirror-averaged one. Only numpy.
"""
import json
import sys

import numpy as np

rows = [json.loads(l) for l in open(sys.argv[1])]
rows = [r for r in rows if r['male'] is not None]
if len(sys.argv) > 2:
    plain = {r['file']: r for r in map(json.loads, open(sys.argv[2]))}
    for r in rows:
        if r['face'] and plain.get(r['file'], {}).get('plain') is not None:
            r['reads']['bf1.3']['faceres']['male'] = plain[r['file']]['plain']
PRIOR = float(np.mean([r['male'] for r in rows]))


def auc(y, s):
    y, s = np.array(y), np.array(s)
    pos, neg = s[y == 1], s[y == 0]
    return float(((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg)))


def logit(p):
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def design(R, with_face):
    zb = np.array([-logit(r['bodyFemale']) for r in R])
    if not with_face:
        return zb[:, None]
    zf = np.array([logit(r['reads']['bf1.3']['faceres']['male']) * r['face']['score'] if r['face'] else 0.0 for r in R])
    return np.c_[zb, zf]


def fit(X, y, l2=0.1):
    X = np.c_[np.ones(len(X)), X]
    w = np.zeros(X.shape[1])
    reg = l2 * np.diag(np.r_[0, np.ones(len(w) - 1)])
    for _ in range(100):
        p = 1 / (1 + np.exp(-X @ w))
        w -= np.linalg.solve(X.T @ (X * (p * (1 - p))[:, None]) + reg, X.T @ (p - y) + reg @ w)
    return w


def ece(p, y, bins=10):
    conf, hit = np.maximum(p, 1 - p), (p > 0.5) == y
    b = np.minimum(bins - 1, np.floor(conf * bins))
    return sum((b == k).mean() * abs(conf[b == k].mean() - hit[b == k].mean()) for k in range(bins) if (b == k).any())


def report(p, y):
    bal = 0.5 * ((p[y == 1] > 0.5).mean() + (p[y == 0] <= 0.5).mean())
    return f'acc {np.mean((p > 0.5) == y):.3f} balanced {bal:.3f} ece {ece(p, y):.3f}'


print(json.dumps({'people': len(rows), 'male_share': round(PRIOR, 3), 'blazeface_faces': sum(bool(r['face']) for r in rows)}))
for sub in ['CUHK', 'VIPeR']:
    R = [r for r in rows if r['subset'] == sub]
    y = [r['male'] for r in R]
    F = [r for r in R if r['face']]
    out = {'subset': sub, 'people': len(R), 'faces': len(F), 'body_auc': round(auc(y, [-r['bodyFemale'] for r in R]), 3)}
    for crop in ['bf1.3', 'bf1.8']:
        out[crop] = {m: round(auc([r['male'] for r in F], [r['reads'][crop][m]['male'] for r in F]), 3) for m in ['faceres', 'gear', 'ssr']}
    for crop in ['pose1.8', 'pose2.4', 'pose3.2']:
        N = [r for r in R if not r['face']]
        out[crop + '_no_blazeface'] = {m: round(auc([r['male'] for r in N], [r['reads'][crop][m]['male'] for r in N]), 3) for m in ['faceres', 'gear', 'ssr']}
    print(json.dumps(out))

y = np.array([r['male'] for r in rows])
w = fit(design(rows, True), y)
print('pooled fit (GENDER_FUSION): bias %.3f body %.3f face %.3f;' % tuple(w), 'in sample', report(1 / (1 + np.exp(-np.c_[np.ones(len(y)), design(rows, True)] @ w)), y))
for tr, te in [('CUHK', 'VIPeR'), ('VIPeR', 'CUHK')]:
    A = [r for r in rows if r['subset'] == tr]
    B = [r for r in rows if r['subset'] == te]
    yA, yB = np.array([r['male'] for r in A]), np.array([r['male'] for r in B])
    for name, face in [('body only', False), ('body + face', True)]:
        wA = fit(design(A, face), yA)
        s = design(B, face) @ wA[1:]
        p = 1 / (1 + np.exp(-(wA[0] + s)))
        # The same slopes with the intercept set to the pooled male share (a held-out set's prior is unknown).
        b = wA[0]
        for _ in range(50):
            q = 1 / (1 + np.exp(-(b + s)))
            b -= (q.mean() - PRIOR) / max(1e-3, (q * (1 - q)).mean())
        q = 1 / (1 + np.exp(-(b + s)))
        print(f'{tr} -> {te} {name}: auc {auc(yB, s):.3f}; own intercept {report(p, yB)}; pooled-prior intercept {report(q, yB)}')
