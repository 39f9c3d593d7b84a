// The Network resource provider answers its long-running POSTs (ARP table,
// route tables, learned routes) with both `Azure-AsyncOperation` (a status
// document) and `Location` (the result). Given both, the SDK polls the status
// document until it says Succeeded and then GETs Location for the result: one
// request more per read than polling Location itself, which ARM's async
// contract has answer 202 while the routers work and the result once they are
// done. erwatch polls once, when the answer is due (lro-timing.ts), so the
// status document told it nothing the Location answer does not: at the steady
// state that extra GET was about a quarter of every request sent to ARM.
//
// So the POST's answer is handed to the SDK with `Location` only. An answer
// without `Location` keeps its `Azure-AsyncOperation` (the SDK then polls the
// status, which is why the reader role still grants that poll's action).

import type { PipelinePolicy } from "@azure/core-rest-pipeline";

export const PREFER_LOCATION_POLICY = "erwatchPreferLocation";

export function preferLocationPolicy(): PipelinePolicy {
  return {
    name: PREFER_LOCATION_POLICY,
    sendRequest: async (request, next) => {
      const response = await next(request);
      if (
        request.method.toUpperCase() === "POST" &&
        (response.status === 201 || response.status === 202) &&
        response.headers.has("location") &&
        response.headers.has("azure-asyncoperation")
      )
        response.headers.delete("azure-asyncoperation");
      return response;
    },
  };
}
