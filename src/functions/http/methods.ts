// HEAD and OPTIONS, which scripts and uptime checks send. A route registered
// for GET alone hears neither: the Functions host answers them with an empty
// 404 (Azure/azure-functions-host#10098), which reads as "no such endpoint".

import type { HttpRequest, HttpResponseInit } from "@azure/functions";

const isHead = (request: HttpRequest): boolean => request.method.toUpperCase() === "HEAD";

/**
 * HEAD: the status and headers GET would send, without its body (RFC 9110
 * §9.3.2); the body is left out here, not left to the host to drop.
 */
export function headOf(response: HttpResponseInit): HttpResponseInit {
  const { body: _body, jsonBody, ...rest } = response;
  const headers = (response.headers ?? {}) as Record<string, string>;
  return {
    ...rest,
    headers: jsonBody === undefined ? headers : { "content-type": "application/json", ...headers },
  };
}

/** OPTIONS: which methods the route takes, and nothing else (RFC 9110 §9.3.7). */
export const optionsAnswer = (allow: string, headers: Record<string, string> = {}) => ({
  status: 204,
  headers: { allow, ...headers },
});

/** A GET handler that answers HEAD as well, each answer as GET's without its body. */
export function answeringHead<C>(
  handler: (request: HttpRequest, context: C) => Promise<HttpResponseInit>,
): (request: HttpRequest, context: C) => Promise<HttpResponseInit> {
  return async (request, context) => {
    const response = await handler(request, context);
    return isHead(request) ? headOf(response) : response;
  };
}
