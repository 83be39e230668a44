package wire_test

import (
	"fmt"

	"github.com/eventhost/eventhost/host/socketio/wire"
)

// A client's WebSocket frames: an Engine.IO message holding a BINARY_EVENT,
// then its attachment in a binary frame.
func ExampleDecoder() {
	frames := []struct {
		data   string
		binary bool
	}{
		{`451-/chat,7["upload",{"_placeholder":true,"num":0}]`, false},
		{"\x01\x02\x03", true},
	}
	var d wire.Decoder
	for _, f := range frames {
		ep, err := wire.DecodePacket([]byte(f.data), f.binary)
		if err != nil || ep.Type != wire.Message {
			fmt.Println("not a message:", ep.Type, err)
			continue
		}
		var m wire.Decoded
		var done bool
		if ep.Binary {
			m, done, err = d.Binary(ep.Data)
		} else {
			m, done, err = d.Text(ep.Data)
		}
		if err != nil {
			fmt.Println("close the connection:", err)
			return
		}
		if !done {
			fmt.Println("awaiting", d.Awaiting(), "attachment")
			continue
		}
		args, _ := wire.SplitArray(m.Data)
		name, _ := wire.UnquoteString(args[0])
		fmt.Printf("%s %s id=%d event=%s first=%s buffers=%q\n", m.Type, m.Namespace, m.ID, name, args[1], m.Buffers)
	}
	// Output:
	// awaiting 1 attachment
	// BINARY_EVENT /chat id=7 event=upload first={"_placeholder":true,"num":0} buffers=["\x01\x02\x03"]
}

// The server's answer to an event with id 7: the Engine.IO Message byte, then
// the Socket.IO ACK; a binary first argument becomes an attachment.
func ExampleAppendAck() {
	frame := []byte{byte(wire.Message)}
	frame, binary := wire.AppendAck(frame, "/chat", 7, wire.Args{First: []byte{0xca, 0xfe}, FirstBinary: true, Rest: []byte(`["done"]`)})
	fmt.Printf("%s then %d binary frame(s) %x\n", frame, len(binary), binary[0])

	frame, binary = wire.AppendAck(frame[:1], "/", 8, wire.Args{First: []byte(`{"ok":true}`)})
	fmt.Printf("%s then %d binary frame(s)\n", frame, len(binary))
	// Output:
	// 461-/chat,7[{"_placeholder":true,"num":0},"done"] then 1 binary frame(s) cafe
	// 438[{"ok":true}] then 0 binary frame(s)
}

func ExampleAppendConnectError() {
	frame := wire.AppendConnectError([]byte{byte(wire.Message)}, "/x", "Invalid namespace", nil)
	fmt.Printf("%s\n", frame)
	frame = wire.AppendConnectError(frame[:1], "/", "unauthorized", []byte(`{"code":"unauthorized"}`))
	fmt.Printf("%s\n", frame)
	// Output:
	// 44/x,{"message":"Invalid namespace"}
	// 44{"message":"unauthorized","data":{"code":"unauthorized"}}
}

// A polling response body holding a text and a binary message.
func ExampleAppendPayload() {
	body := wire.AppendPayload(nil,
		wire.EnginePacket{Type: wire.Message, Data: []byte(`2["hey","Jude"]`)},
		wire.EnginePacket{Type: wire.Message, Data: []byte{1, 2, 3, 4}, Binary: true},
	)
	fmt.Printf("%q\n", body)
	// Output:
	// "42[\"hey\",\"Jude\"]\x1ebAQIDBA=="
}
