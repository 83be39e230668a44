// The handler of bench/fetch.sh: every call awaits one fetch of the slow
// loopback service named in its data, and returns what it answered.
export async function get(socket, data) {
  const res = await fetch(data.url);
  return res.json();
}
