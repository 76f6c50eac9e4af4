package main

import (
	"bytes"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeExportAndHandler(t *testing.T) {
	wasm := filepath.Join(t.TempDir(), "x.wasm")
	if err := os.WriteFile(wasm, []byte("\x00asm-test"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"serve", "-wasm", wasm, "-export", dir}, &stdout, &stderr); code != exitOK {
		t.Fatalf("serve -export: exit %d: %s", code, stderr.String())
	}
	for _, f := range []string{"index.html", "app.js", "style.css", "wasm_exec.js", "disconnectex.wasm"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("exported site lacks %s: %v", f, err)
		}
	}
	site, err := buildSite(wasm, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.handler())
	defer srv.Close()
	for path, want := range map[string]string{"/": "DisconnectEx playground", "/disconnectex.wasm": "asm-test", "/app.js": "globalThis.playground"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, body lacks %q", path, resp.StatusCode, want)
		}
	}
}

func TestServeRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", "192.0.2.1:80", ":8080", "nonsense"} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"serve", "-addr", addr}, &stdout, &stderr); code != exitUsage {
			t.Errorf("serve -addr %s: exit %d, want %d", addr, code, exitUsage)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0"} {
		if err := checkLoopback(addr); err != nil {
			t.Errorf("checkLoopback(%s): %v", addr, err)
		}
	}
}
