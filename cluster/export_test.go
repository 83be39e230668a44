package cluster

// Kill ends the node's NATS connection abruptly, as if its process died:
// no leave is announced, and the node stops announcing. Close still works
// after it.
func (n *Node) Kill() { n.nc.Close() }

// Flush waits until the NATS server has processed everything the node sent.
func (n *Node) Flush() error { return n.nc.Flush() }
