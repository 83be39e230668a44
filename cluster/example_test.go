package cluster_test

import (
	"context"
	"log"
	"net/http"

	"github.com/eventhost/eventhost/cluster"
	"github.com/eventhost/eventhost/host"
)

// A node joins the cluster before it serves, and leaves after it stopped
// taking connections.
func ExampleJoin() {
	srv := host.New(newHandler(), host.Config{})
	node, err := cluster.Join(context.Background(), srv, cluster.Options{URL: "nats://127.0.0.1:4222"})
	if err != nil {
		log.Fatal(err)
	}
	defer node.Close()
	log.Fatal(http.ListenAndServe(":8080", srv))
}
