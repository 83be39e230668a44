// A TypeScript handler: api.stats.summary with {"values": [1, 2, 3]}.
import type { Socket } from "eventhost";
import { badRequest } from "../_lib/errors.js";

interface SummaryRequest {
  values: number[];
}

interface Summary {
  count: number;
  sum: number;
  mean: number;
  min: number;
  max: number;
}

export function summary(socket: Socket, data: SummaryRequest | undefined): Summary {
  const values = data?.values;
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "number")) {
    throw badRequest("values must be a non-empty array of numbers");
  }
  const sum = values.reduce((a, b) => a + b, 0);
  return { count: values.length, sum, mean: sum / values.length, min: Math.min(...values), max: Math.max(...values) };
}
