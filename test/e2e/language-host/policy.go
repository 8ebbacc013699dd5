package main

// RunPlugin for an analyzer plugin (a Node.js policy pack), done here because the old host cannot.
// What it does follows DESIGN.md, "How the 3.248 engine runs a policy pack":
//
//  1. The engine sends kind "analyzer", the pack directory as Info.ProgramDirectory, its own
//     address (after any logging/tracing flags) in Args and its whole environment in Env.
//  2. We resolve @pulumi/pulumi/cmd/run-policy-pack from the pack directory, as node would.
//  3. Old policy packs read the stack (organization, project, stack, dry run, config) from the
//     environment at start-up, but the engine only sends it afterwards, over gRPC
//     (ConfigureStack). So the sdk's PolicyProxy serves the Analyzer service first: its port is
//     the first line of our stdout, it takes the engine's ConfigureStack, and only then is node
//     started with that stack in its environment. Attach then forwards every further Analyzer
//     call to the real pack once it has printed its port.
//  4. stdout, stderr and the exit code go back to the engine on the RunPlugin stream.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// runPolicyPackModule is the entry point @pulumi/pulumi ships for starting a policy pack.
const runPolicyPackModule = "@pulumi/pulumi/cmd/run-policy-pack"

// runPluginStream turns the raw server stream into the typed one rpcutil.MakeRunPluginStreams
// writes to. The lock: stdout and stderr are written from different goroutines, and a gRPC stream
// takes one sender at a time.
type runPluginStream struct {
	grpc.ServerStream
	mu sync.Mutex
}

var _ pulumirpc.LanguageRuntime_RunPluginServer = (*runPluginStream)(nil)

func (s *runPluginStream) Send(m *pulumirpc.RunPluginResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ServerStream.SendMsg(m)
}

func runPolicyPack(req *pulumirpc.RunPluginRequest, stream *runPluginStream) error {
	// Cancelled when the engine ends the call (it does so to stop the pack) or we stop serving;
	// exec.CommandContext then kills node.
	ctx := stream.Context()

	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		return status.Error(codes.InvalidArgument, "RunPlugin (analyzer): no program directory in the request")
	}
	if req.GetAttachDebugger() {
		return status.Error(codes.Unimplemented,
			"RunPlugin (analyzer): starting a policy pack under a debugger is not supported by the e2e language host adapter")
	}
	opts, err := readNodeOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "policy pack %s: %v", dir, err)
	}

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(stream, false /* not a terminal */)
	if err != nil {
		return err
	}
	defer closer.Close()

	node, err := exec.LookPath("node")
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "policy pack %s: node is not on PATH: %v", dir, err)
	}
	entry, nodeErr, err := resolveModule(ctx, node, dir, runPolicyPackModule)
	if err != nil {
		// node's own message goes to stderr, where the engine looks for "Cannot find module
		// '@pulumi/pulumi/cmd/run-policy-pack'" to explain that the pack's dependencies are missing.
		_, _ = stderr.Write(nodeErr)
		return status.Errorf(codes.FailedPrecondition,
			"policy pack %s: cannot resolve %s from there (%v); run npm install in %s",
			dir, runPolicyPackModule, err, dir)
	}

	env := append([]string{}, req.GetEnv()...)
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}
	extra, err := splitArgs(opts.nodeargs)
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "policy pack %s: nodeargs: %v", dir, err)
	}
	// The order DESIGN.md records: entry, nodeargs, the engine's args, and the pack directory last
	// (run-policy-pack takes "<engine-address> <program>" as its last two arguments).
	argv := append([]string{entry}, extra...)
	argv = append(argv, req.GetArgs()...)
	argv = append(argv, dir)

	proxy, packStdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return status.Errorf(codes.Internal, "policy pack %s: start the policy proxy: %v", dir, err)
	}
	// Prints the proxy's port (the engine reads it as the plugin's port) and waits for the stack.
	cfg, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return status.Errorf(codes.Canceled, "policy pack %s: no stack configuration from the engine: %v", dir, err)
	}
	stackVars, err := stackEnv(cfg)
	if err != nil {
		return status.Errorf(codes.Internal, "policy pack %s: %v", dir, err)
	}
	env = append(env, stackVars...)

	cmd := exec.CommandContext(ctx, node, argv...)
	cmd.Dir = dir // packs have always run from their own directory
	cmd.Env = env
	cmd.Stdout = packStdout // the proxy reads the pack's port from it, then copies the rest to stdout
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return status.Errorf(codes.Internal, "policy pack %s: start node: %v", dir, err)
	}
	// Returns when node exits (or ctx ends): forwards the Analyzer calls meanwhile.
	attachErr := proxy.Attach(ctx, cmd)
	if ctx.Err() != nil {
		return status.FromContextError(ctx.Err()).Err() // the engine is done with the pack
	}

	code, err := exitCode(cmd, attachErr)
	if err != nil {
		return status.Errorf(codes.Unknown, "policy pack %s: %v", dir, err)
	}
	if err := closer.Close(); err != nil {
		return err
	}
	return stream.Send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code},
	})
}

// exitCode is node's exit status after Attach. Attach reports either node's own exit (an
// *exec.ExitError when non-zero) or that no port could be read, which happens when node exited
// before printing one; by then Wait has recorded the process state, so the status is still known.
func exitCode(cmd *exec.Cmd, attachErr error) (int32, error) {
	var exitErr *exec.ExitError
	switch {
	case attachErr == nil:
		return 0, nil
	case errors.As(attachErr, &exitErr):
		return int32(exitErr.ExitCode()), nil
	case cmd.ProcessState != nil:
		return int32(cmd.ProcessState.ExitCode()), nil
	default:
		return 0, attachErr
	}
}

// resolveModule asks node where `mod` resolves from `dir` (node's own lookup: node_modules up the
// tree, package exports). On failure it returns node's stderr alongside the error.
func resolveModule(ctx context.Context, node, dir, mod string) (string, []byte, error) {
	cmd := exec.CommandContext(ctx, node, "-e", "process.stdout.write(require.resolve(process.argv[1]))", mod)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", errOut.Bytes(), err
	}
	path := strings.TrimSpace(out.String())
	if path == "" {
		return "", errOut.Bytes(), errors.New("node printed no path")
	}
	return path, nil, nil
}

// stackEnv is the environment old packs read the stack from. cfg is nil when the engine called
// something else before ConfigureStack (e.g. `pulumi policy publish`, which has no stack).
func stackEnv(cfg *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	if cfg == nil {
		return nil, nil
	}
	var env []string
	add := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	add("PULUMI_NODEJS_ORGANIZATION", cfg.GetOrganization())
	add("PULUMI_NODEJS_PROJECT", cfg.GetProject())
	add("PULUMI_NODEJS_STACK", cfg.GetStack())
	add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(cfg.GetDryRun()))
	if cfg.GetConfig() != nil {
		config, err := json.Marshal(cfg.GetConfig())
		if err != nil {
			return nil, fmt.Errorf("encode the stack configuration: %w", err)
		}
		add("PULUMI_CONFIG", string(config))
	}
	return env, nil
}

// nodeOptions are the pack's `runtime.options` from PulumiPolicy.yaml that matter here.
type nodeOptions struct {
	typescript bool   // default true: packs may be written in TypeScript
	tsconfig   string // path to a tsconfig.json
	nodeargs   string // extra arguments, shell-quoted
}

func readNodeOptions(options map[string]any) (nodeOptions, error) {
	opts := nodeOptions{typescript: true}
	if v, ok := options["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return opts, fmt.Errorf("runtime option typescript must be a boolean, got %v", v)
		}
		opts.typescript = b
	}
	for key, dst := range map[string]*string{"tsconfig": &opts.tsconfig, "nodeargs": &opts.nodeargs} {
		if v, ok := options[key]; ok {
			s, isString := v.(string)
			if !isString {
				return opts, fmt.Errorf("runtime option %s must be a string, got %v", key, v)
			}
			*dst = s
		}
	}
	return opts, nil
}

// splitArgs splits a shell-like argument string: whitespace separates, '…' is literal, "…" and
// a bare backslash escape the next character.
func splitArgs(s string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inArg, quote, escaped := false, rune(0), false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\\':
			escaped, inArg = true, true
		case quote == '"':
			if r == '"' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inArg = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if quote != 0 || escaped {
		return nil, fmt.Errorf("unterminated quote or escape in %q", s)
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, nil
}
