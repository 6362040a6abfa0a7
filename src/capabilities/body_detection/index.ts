/**
 * body_detection: the person finder on its own: every person's box with a calibrated
 * probability, a head point, and COCO-17 keypoints where pose ran (docs/person-finder.md).
 * The base of person detection, attributes, counting and tracking; today reachable from the
 * engine, the CLI (`bodylens analyze --capability body_detection`) and the eval harness. Its
 * dialect row comes with the private dialect's `detection` service (issue 14).
 */
import { defineCapability } from '../capability.js';
import {
  DEFAULT_PERSON_FINDER_OPTIONS,
  PERSON_FINDER_MODELS,
  findPeople,
  personFinderModels,
  type FoundPerson,
  type PersonFinderOptions,
} from '../../vision/person-finder.js';
import { toBody21 } from '../../vision/body21.js';
import { renderPersons } from '../../render/skeleton.js';
import { BODY21_KEYPOINTS, type Person } from '../../types.js';

export type BodyDetectionOptions = PersonFinderOptions;
export const DEFAULT_BODY_DETECTION_OPTIONS: Readonly<BodyDetectionOptions> = DEFAULT_PERSON_FINDER_OPTIONS;

export interface BodyDetection {
  image: { width: number; height: number };
  persons: FoundPerson[];
}

/** A found person in the drawing's Person shape: its detector box, Baidu's points where pose ran. */
function drawable(p: FoundPerson): Person {
  const none = { x: p.box.left, y: p.box.top, score: 0 };
  const keypoints = p.keypoints ? toBody21(p.keypoints) : (Object.fromEntries(BODY21_KEYPOINTS.map((n) => [n, none])) as Person['keypoints']);
  return { box: p.box, score: p.score, keypoints };
}

export const bodyDetection = defineCapability({
  name: 'body_detection',
  summary: 'every person: box with a calibrated probability, head point, COCO-17 keypoints',
  summaryZh: '每个人：带校准概率的人体框、头部点和 COCO-17 关键点',
  models: PERSON_FINDER_MODELS,
  defaults: DEFAULT_BODY_DETECTION_OPTIONS,
  async run(models, image, options): Promise<BodyDetection> {
    const persons = await findPeople(personFinderModels(models), image, options);
    return { image: { width: image.width, height: image.height }, persons };
  },
  render: (image, result) => renderPersons(image, result.persons.map(drawable)),
  docs: 'docs/person-finder.md',
  eval: ['persons'],
  bench: ['body_detection_coco_mini', 'body_detection_mot17'],
  exposure: 'no dialect row yet: the private dialect\'s detection service (issue 14) and body_attr (issue 11) will call it',
});
