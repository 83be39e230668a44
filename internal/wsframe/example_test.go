package wsframe_test

import (
	"fmt"

	"github.com/eventhost/eventhost/host/protocol"
	"github.com/eventhost/eventhost/internal/wsframe"
)

func ExampleDecode() {
	for _, raw := range [][]byte{
		[]byte(`{"id":1,"data":{"greeting":"Hello, Ada"}}`),
		[]byte(`{"id":2,"error":{"code":"unknown_event","message":"no handler for api.nope"}}`),
		[]byte(`{"event":"chat.message","data":"hi"}`),
	} {
		f, err := wsframe.Decode(false, raw)
		switch {
		case err != nil:
			fmt.Println("undecodable:", err)
		case f.Error != nil:
			fmt.Printf("reply %s failed: %s\n", f.ID, f.Error)
		case f.IsReply():
			fmt.Printf("reply %s: %s\n", f.ID, f.Data)
		default:
			fmt.Printf("push %s: %s\n", f.Event, f.Data)
		}
	}
	f, _ := wsframe.Decode(true, protocol.AppendBinary(nil, []byte(`{"id":3}`), []byte{3, 2, 1}))
	fmt.Printf("binary reply %s: %v\n", f.ID, f.Payload)
	// Output:
	// reply 1: {"greeting":"Hello, Ada"}
	// reply 2 failed: unknown_event: no handler for api.nope
	// push chat.message: "hi"
	// binary reply 3: [3 2 1]
}
