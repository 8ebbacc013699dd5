package main

// A transparent gRPC forwarder: every call the engine makes to this host is replayed, byte for
// byte, on a connection to the fallback host. Nothing here knows the LanguageRuntime service, so a
// method the 3.248 engine calls and the old host lacks gets the old host's own answer (Unimplemented)
// instead of one invented here.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// frame is one message as it travels on the wire: already-encoded protobuf bytes.
type frame []byte

// rawCodec passes frames through untouched and encodes everything else as protobuf. The second
// half matters because the server also answers health checks and reflection itself, and because
// the RunPlugin handler for policy packs sends real RunPluginResponse messages. Its name is "proto"
// so the content type on the wire stays application/grpc+proto, as the engine expects.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case *frame:
		return *m, nil
	case proto.Message:
		return proto.Marshal(m)
	default:
		return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
	}
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	switch m := v.(type) {
	case *frame:
		// gRPC may reuse data's buffer after Unmarshal returns, so keep a copy.
		*m = append((*m)[:0], data...)
		return nil
	case proto.Message:
		return proto.Unmarshal(data, m)
	default:
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
}

// forwarder holds the connection to the fallback host.
type forwarder struct {
	conn *grpc.ClientConn
}

// bidi covers unary, client-, server- and bidirectional streaming calls alike: a unary call is a
// stream with one message each way, so one description serves every method.
var bidi = &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}

// forward replays the call on `in` (the engine's) to the fallback host. `first`, when not nil, is
// a request message already read from `in` (RunPlugin reads one to look at its kind) and is sent
// before the rest.
func (f *forwarder) forward(in grpc.ServerStream, method string, first *frame) error {
	// The call to the host lives exactly as long as the engine's call: the engine cancelling
	// cancels it, and so does returning from here.
	ctx, cancel := context.WithCancel(in.Context())
	defer cancel()
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		ctx = metadata.NewOutgoingContext(ctx, forwardable(md))
	}
	out, err := f.conn.NewStream(ctx, bidi, method, grpc.ForceCodec(rawCodec{}))
	if err != nil {
		return err
	}

	// Engine -> fallback host, in the background: requests until the engine half-closes. If that
	// side breaks, cancelling the host's call ends the receive loop below.
	go func() {
		if err := pumpRequests(in, out, first); err != nil {
			cancel()
		}
	}()

	// Fallback host -> engine: headers first, then responses until the host ends the call.
	if md, err := out.Header(); err == nil && len(md) > 0 {
		if err := in.SendHeader(md); err != nil {
			return err
		}
	}
	for {
		var msg frame
		err := out.RecvMsg(&msg)
		if err != nil {
			in.SetTrailer(out.Trailer())
			if errors.Is(err, io.EOF) {
				return nil // the host finished the call with status OK
			}
			// The host's status (code and message) goes back to the engine as it is.
			return err
		}
		if err := in.SendMsg(&msg); err != nil {
			return err
		}
	}
}

func pumpRequests(in grpc.ServerStream, out grpc.ClientStream, first *frame) error {
	if first != nil {
		if err := out.SendMsg(first); err != nil {
			return sendFailed(err)
		}
	}
	for {
		var msg frame
		err := in.RecvMsg(&msg)
		if errors.Is(err, io.EOF) {
			return out.CloseSend()
		}
		if err != nil {
			return err
		}
		if err := out.SendMsg(&msg); err != nil {
			return sendFailed(err)
		}
	}
}

// sendFailed: a SendMsg that fails with io.EOF means the host ended the call; its real status
// comes from RecvMsg on the other side, so this side reports nothing.
func sendFailed(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// forwardable drops the headers gRPC sets for itself (pseudo-headers, content type, grpc-*),
// which must not be copied onto a new call; the rest (tracing, for example) goes along.
func forwardable(md metadata.MD) metadata.MD {
	out := metadata.MD{}
	for k, v := range md {
		if strings.HasPrefix(k, ":") || strings.HasPrefix(k, "grpc-") || k == "content-type" ||
			k == "user-agent" || k == "te" {
			continue
		}
		out[k] = v
	}
	return out
}
