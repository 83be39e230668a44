export function plain() {
  throw new Error("boom");
}

export function coded() {
  throw Object.assign(new Error("you may not"), { code: "forbidden" });
}

export function badCode() {
  throw Object.assign(new Error("odd code"), { code: "Not A Code" });
}

export function thrownString() {
  throw "just a string";
}

export async function rejects() {
  await null;
  throw Object.assign(new Error("later"), { code: "too_late" });
}

export function cyclic() {
  const a = {};
  a.self = a;
  return a;
}

export function never() {
  return new Promise(() => {});
}

export function recurse() {
  const f = (n) => f(n + 1) + 1;
  return f(0);
}
