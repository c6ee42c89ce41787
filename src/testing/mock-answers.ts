// How the mock writes its answers on the wire: an operation's answer, a problem, or a problem
// written straight to a socket. Every one carries a fresh upvest-request-id.
import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type MockProblem, problemDocument } from './mock-problem.js';

/** What a handler answers before it is sent: a status and, except for 202/204, a JSON body. */
export interface Answer {
  readonly status: number;
  readonly body?: unknown;
}

function send(
  response: ServerResponse,
  status: number,
  payload: string | undefined,
  headers: OutgoingHttpHeaders,
): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, {
    // Every answer, success or error, carries a fresh request id (facts §2.1).
    'upvest-request-id': randomUUID(),
    ...(payload === undefined ? {} : { 'content-length': Buffer.byteLength(payload) }),
    ...headers,
  });
  response.end(payload);
}

/** An answer as JSON, or without a body (202, 204). */
export function sendAnswer(response: ServerResponse, answer: Answer): void {
  const payload = answer.body === undefined ? undefined : JSON.stringify(answer.body);
  send(
    response,
    answer.status,
    payload,
    payload === undefined ? {} : { 'content-type': 'application/json' },
  );
}

export function sendProblem(response: ServerResponse, problem: MockProblem): void {
  const requestId = randomUUID();
  const payload = JSON.stringify(problemDocument(problem, requestId));
  if (response.headersSent || response.destroyed) return;
  response.writeHead(problem.status, {
    'upvest-request-id': requestId,
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(payload),
    ...problem.headers,
  });
  response.end(payload);
}

/** A problem written straight to a socket, for what never becomes a routed request. */
export function rawProblem(socket: Socket, problem: MockProblem, reason: string): void {
  const requestId = randomUUID();
  const payload = JSON.stringify(problemDocument(problem, requestId));
  socket.end(
    `HTTP/1.1 ${problem.status} ${reason}\r\n` +
      `upvest-request-id: ${requestId}\r\ncontent-type: application/problem+json\r\n` +
      `content-length: ${Buffer.byteLength(payload)}\r\nconnection: close\r\n\r\n${payload}`,
  );
}
