package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/eventhost/eventhost/cluster"
	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/metrics"
)

// clusterConfig is what the serve command is told of the cluster and of the
// HTTP API.
type clusterConfig struct {
	natsURL  string
	prefix   string
	nodeID   string
	apiToken string
}

// register declares the cluster's and the HTTP API's flags on fs.
func (c *clusterConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.natsURL, "nats-url", "", "NATS server URL(s), comma separated: the nodes on one NATS share rooms, broadcasts and counts (docs/cluster.md); a single node when empty")
	fs.StringVar(&c.prefix, "nats-prefix", cluster.DefaultPrefix, "first token of the cluster's NATS subjects: clusters with different prefixes share a NATS server without seeing each other")
	fs.StringVar(&c.nodeID, "node-id", "", "this node's name in the cluster (/healthz, logs, counts); random when empty")
	fs.StringVar(&c.apiToken, "api-token", "", "bearer token of the HTTP API (POST /api/emit, POST /api/disconnect); the API is off when empty. Prefer EVENTHOST_API_TOKEN: ps shows flags")
}

// joinCluster makes srv a node of the cluster when -nats-url is set, and
// returns the node (nil for a single node). A NATS server that does not
// answer yet is not an error: the node serves its own connections and
// joins when NATS comes.
func joinCluster(ctx context.Context, c clusterConfig, srv *host.Server, log *slog.Logger) (*cluster.Node, error) {
	if c.natsURL == "" {
		return nil, nil
	}
	node, err := cluster.Join(ctx, srv, cluster.Options{URL: c.natsURL, Prefix: c.prefix, NodeID: c.nodeID, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("-nats-url: %w", err)
	}
	return node, nil
}

// clusterStats turns a node's figures into the metrics'.
func clusterStats(n *cluster.Node) *metrics.ClusterStats {
	s := n.Stats()
	return &metrics.ClusterStats{
		Connected:     n.Status().Connected,
		Nodes:         s.Nodes,
		Subscriptions: s.Subscriptions,
		Published:     s.Published,
		PublishErrors: s.PublishErrors,
		Received:      s.Received,
		Delivered:     s.Delivered,
		Malformed:     s.Malformed,
		Dropped:       s.Dropped,
		Counts:        s.CountRequests,
		PartialCounts: s.CountPartial,
		Reconnects:    s.Reconnects,
	}
}
