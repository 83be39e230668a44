package cluster

// Kill ends the node's NATS connection abruptly, as if its process died:
// no leave is announced, and the node stops announcing. Close still works
// after it.
func (n *Node) Kill() { n.nc.Close() }
