/**
 * How a request ended, as its route knows it (api/observe.ts reads it for the completion log
 * line, /metrics and private usage); what no route noted is read from the HTTP status.
 */
import type { FastifyRequest } from 'fastify';

export interface Outcome {
  /** The API (Baidu name, Kakao route name, private service). */
  api?: string;
  /** The calling app (Baidu and Kakao, once authenticated). */
  app?: string;
  /** 'ok' or the neutral error kind. */
  outcome?: string;
  /** The code the caller got in its dialect (Baidu error_code, private err_no, Kakao code). */
  code?: string | number;
}

const outcomes = new WeakMap<FastifyRequest, Outcome>();

export function noteOutcome(request: FastifyRequest, outcome: Outcome): void {
  outcomes.set(request, { ...outcomes.get(request), ...outcome });
}

export function outcomeOf(request: FastifyRequest): Outcome {
  return outcomes.get(request) ?? {};
}
