// Positions in this file are asserted by the tests: keep lines as they are.
interface Input {
  name: string;
}

type Output = { greeting: string };

export function fail(socket: unknown, data: Input): Output {
  const detail: string = `for ${data?.name ?? "nobody"}`;
  throw new Error("typed failure " + detail);
}

export function log(socket: unknown): number {
  console.log("typed log line");
  return 1;
}
