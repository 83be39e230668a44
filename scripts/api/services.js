// api.services.status: is the API up?
export function status() {
  return "online";
}
