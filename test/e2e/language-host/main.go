// Command pulumi-language-nodejs, as built for the end-to-end suite: a Node.js language host
// adapter for the Pulumi 3.248 engine.
//
// Why it exists: the Go module proxy reachable here will not serve the 3.248 Node.js language
// host, and the newest host it does serve (inside sdk/v3@v3.68.0) answers RunPlugin with "not
// supported", so the engine cannot start a policy pack through it. This adapter starts that old
// host as a child ("pulumi-language-nodejs-fallback", next to this executable), forwards every
// LanguageRuntime call to it unchanged, and answers one call itself: RunPlugin for an analyzer
// (a policy pack), which it runs the way DESIGN.md records the 3.248 host does (policy.go).
//
// Protocol, as for every Pulumi plugin: the engine starts us with its arguments (flags, then the
// engine's address), reads our port from the first line of stdout and talks gRPC to 127.0.0.1.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// fallbackName is the old host's file name; build-cli.sh installs it in the same directory.
const fallbackName = "pulumi-language-nodejs-fallback"

// stopGrace bounds how long in-flight calls (a policy pack's RunPlugin stream lasts the whole
// deployment) and the child may take to finish once we are told to stop.
const stopGrace = 5 * time.Second

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs (e2e adapter): %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fallback, err := fallbackPath()
	if err != nil {
		return err
	}

	// `-version` prints and exits without serving: hand it to the old host as it is.
	for _, a := range args {
		if a == "-version" || a == "--version" {
			return passThrough(fallback, args)
		}
	}

	child, childPort, childStdout, err := startFallback(fallback, args)
	if err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()

	conn, err := grpc.NewClient("127.0.0.1:"+strconv.Itoa(childPort),
		grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
	if err != nil {
		stopChild(child, exited)
		return fmt.Errorf("dial the fallback host on port %d: %w", childPort, err)
	}
	defer conn.Close()
	a := &adapter{fwd: &forwarder{conn: conn}}

	var server *grpc.Server
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error { server = s; return nil },
		Options: []grpc.ServerOption{
			// Every message is handled as raw bytes unless this program decodes it itself.
			grpc.ForceServerCodec(rawCodec{}),
			// No LanguageRuntime service is registered: every call of it lands here.
			grpc.UnknownServiceHandler(a.handle),
		},
	})
	if err != nil {
		stopChild(child, exited)
		return fmt.Errorf("serve: %w", err)
	}

	// Our port first, as the engine reads it; then whatever else the old host prints.
	fmt.Printf("%d\n", handle.Port)
	go func() { _, _ = io.Copy(os.Stdout, childStdout) }()

	// The engine stops a language host by signalling its process group (SIGINT, then SIGKILL);
	// the old host is in that group too, since it is started without a group of its own.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)

	select {
	case err := <-exited:
		// Without the old host nothing can be forwarded any more: stop as it did.
		server.Stop()
		return fmt.Errorf("the fallback host exited: %v", describeExit(err))
	case err := <-handle.Done:
		stopChild(child, exited)
		return err
	case <-signals:
		stopServer(server)
		stopChild(child, exited)
		return nil
	}
}

// adapter routes each call: RunPlugin for an analyzer is ours, everything else is forwarded.
type adapter struct {
	fwd *forwarder
}

func (a *adapter) handle(_ any, stream grpc.ServerStream) error {
	method, ok := grpc.MethodFromServerStream(stream)
	if !ok {
		return status.Error(codes.Internal, "no method name on the call")
	}
	if method != pulumirpc.LanguageRuntime_RunPlugin_FullMethodName {
		return a.fwd.forward(stream, method, nil)
	}

	// RunPlugin sends exactly one request; read it to see which kind of plugin is wanted.
	var first frame
	if err := stream.RecvMsg(&first); err != nil {
		return err
	}
	req := &pulumirpc.RunPluginRequest{}
	if err := proto.Unmarshal(first, req); err != nil {
		return status.Errorf(codes.InvalidArgument, "RunPlugin: undecodable request: %v", err)
	}
	if req.GetKind() != string(apitype.AnalyzerPlugin) {
		// Resource, converter, tool plugins: the old host's answer, whatever it is.
		return a.fwd.forward(stream, method, &first)
	}
	return runPolicyPack(req, &runPluginStream{ServerStream: stream})
}

func fallbackPath() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("locate this executable: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(self); err == nil {
		self = resolved
	}
	path := filepath.Join(filepath.Dir(self), fallbackName)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("the fallback Node.js language host is missing (%v); test/e2e/build-cli.sh installs it next to this adapter", err)
	}
	return path, nil
}

// startFallback runs the old host with our arguments and reads its port from its first line of
// stdout. Its stderr is ours (the engine shows it); the rest of its stdout is returned for the
// caller to copy once our own port is printed.
func startFallback(path string, args []string) (*exec.Cmd, int, io.Reader, error) {
	// An os.Pipe rather than cmd.StdoutPipe: Wait must not close the read end while we copy.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, 0, nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout = w
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, 0, nil, fmt.Errorf("start the fallback host %s: %w", path, err)
	}
	w.Close() // the child holds its own copy

	stdout := bufio.NewReader(r)
	line, readErr := stdout.ReadString('\n')
	port, parseErr := strconv.Atoi(strings.TrimSpace(line))
	if readErr != nil || parseErr != nil || port <= 0 || port > 65535 {
		_ = cmd.Process.Kill()
		waitErr := cmd.Wait()
		if readErr != nil {
			return nil, 0, nil, fmt.Errorf("the fallback host printed no port (%v)", describeExit(waitErr))
		}
		return nil, 0, nil, fmt.Errorf("the fallback host printed %q where its port was expected", line)
	}
	return cmd, port, stdout, nil
}

// passThrough runs the old host with our stdio and exits with its status.
func passThrough(path string, args []string) error {
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		os.Exit(exitErr.ExitCode())
	}
	return err
}

// stopServer lets in-flight calls finish for a moment, then cuts them (which cancels their
// contexts and so kills any policy pack process started for them).
func stopServer(server *grpc.Server) {
	done := make(chan struct{})
	go func() { server.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(stopGrace):
		server.Stop()
	}
}

// stopChild asks the old host to stop (SIGTERM) and kills it if it has not within stopGrace.
func stopChild(child *exec.Cmd, exited <-chan error) {
	_ = child.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(stopGrace):
		_ = child.Process.Kill()
		<-exited
	}
}

func describeExit(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
