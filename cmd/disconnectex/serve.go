package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
)

const serveHelp = `Usage: disconnectex serve [-addr 127.0.0.1:8080] [-wasm FILE] [-export DIR]

Serve the playground: a page that runs the emulator and the script
language in the browser, compiled to WebAssembly. Pick a scenario or type
a script, run it, and see the text timeline, the SVG timeline and the
state diagram with each socket's state as you step through the events;
click an error code for its explanation. The page makes no network request
but for its own files.

The page needs this command built for js/wasm. Without -wasm, serve builds
it with the go command (GOOS=js GOARCH=wasm go build), which works inside
a checkout of the module; with -wasm it serves FILE instead (build it with
GOOS=js GOARCH=wasm go build -o disconnectex.wasm ./cmd/disconnectex).
wasm_exec.js comes from the same Go installation ($(go env GOROOT)/lib/wasm).

-addr must be a loopback address: the playground is for this machine.
-export writes the site (index.html, app.js, style.css, wasm_exec.js,
disconnectex.wasm) to DIR and exits, for static hosting such as GitHub Pages.
`

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("serve", serveHelp)
	addr := fs.String("addr", "127.0.0.1:8080", "loopback address to listen on")
	wasm := fs.String("wasm", "", "a prebuilt js/wasm build of this command (default: build one)")
	export := fs.String("export", "", "write the site to this directory instead of serving it")
	if st := parseNoArgs(fs, args, stdout, stderr); st >= 0 {
		return st
	}
	if *export == "" {
		if err := checkLoopback(*addr); err != nil {
			return usageError(fs, stderr, "%v", err)
		}
	}
	site, err := buildSite(*wasm, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "disconnectex serve: %v\n", err)
		return exitUnexpected
	}
	if *export != "" {
		if err := site.export(*export); err != nil {
			fmt.Fprintf(stderr, "disconnectex serve: %v\n", err)
			return exitUnexpected
		}
		fmt.Fprintf(stdout, "wrote the playground to %s\n", *export)
		return exitOK
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "disconnectex serve: %v\n", err)
		return exitUnexpected
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	srv := &http.Server{Handler: site.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	fmt.Fprintf(stdout, "the playground is at http://%s/ (interrupt to stop)\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "disconnectex serve: %v\n", err)
		return exitUnexpected
	}
	return exitOK
}

// checkLoopback refuses an -addr whose host is not a loopback address.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q is not a loopback address (127.0.0.1, [::1] or localhost)", addr)
	}
	return nil
}

// site is the playground's files: the static page and the two built ones.
type site struct {
	static   fs.FS
	wasm     []byte
	wasmExec []byte
}

// buildSite reads or builds the WebAssembly file and finds wasm_exec.js.
func buildSite(wasmFile string, stderr io.Writer) (*site, error) {
	static, err := fs.Sub(playgroundFiles, "playground")
	if err != nil {
		return nil, err
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("finding wasm_exec.js needs the go command: %v", err)
	}
	wasmExec, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return nil, fmt.Errorf("wasm_exec.js: %v", err)
	}
	if wasmFile == "" {
		dir, err := os.MkdirTemp("", "disconnectex-wasm-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		wasmFile = filepath.Join(dir, "disconnectex.wasm")
		fmt.Fprintf(stderr, "building the playground's WebAssembly (GOOS=js GOARCH=wasm go build)...\n")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", wasmFile, "github.com/disconnectex/disconnectex/cmd/disconnectex")
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		cmd.Stderr = stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("building the WebAssembly failed (%v); inside a checkout of the module it builds itself, elsewhere build it and pass -wasm", err)
		}
	}
	wasm, err := os.ReadFile(wasmFile)
	if err != nil {
		return nil, err
	}
	return &site{static: static, wasm: wasm, wasmExec: wasmExec}, nil
}

func (s *site) handler() http.Handler {
	files := http.FileServerFS(s.static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:")
		switch r.URL.Path {
		case "/disconnectex.wasm":
			w.Header().Set("Content-Type", "application/wasm")
			w.Write(s.wasm)
		case "/wasm_exec.js":
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			w.Write(s.wasmExec)
		default:
			files.ServeHTTP(w, r)
		}
	})
}

// export writes the site to dir.
func (s *site) export(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.CopyFS(dir, s.static); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "disconnectex.wasm"), s.wasm, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "wasm_exec.js"), s.wasmExec, 0o644)
}
