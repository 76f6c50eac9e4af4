package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/internal/docsync"
)

// TestTraceFormats checks each picture format of trace on the 240 s
// TIME_WAIT case: the SVG parses and has a TIME_WAIT band 240 s long (the
// connection's lane), the Mermaid text is a sequence diagram, the JSON
// carries the states.
func TestTraceFormats(t *testing.T) {
	out := func(format string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run([]string{"trace", "-format", format, "timewait/delay-240s-default"}, &stdout, &stderr); code != exitOK {
			t.Fatalf("trace -format %s: exit %d: %s", format, code, stderr.String())
		}
		return stdout.String()
	}
	svg := out("svg")
	d := xml.NewDecoder(strings.NewReader(svg))
	var timeWait bool
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("trace -format svg is not valid XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			a := map[string]string{}
			for _, x := range se.Attr {
				a[x.Name.Local] = x.Value
			}
			if a["data-state"] == "TIME_WAIT" && a["data-from"] == "0" && a["data-to"] == "240000000000" {
				timeWait = true
			}
		}
	}
	if !timeWait {
		t.Errorf("trace -format svg has no TIME_WAIT band from 0 s to 240 s")
	}
	if m := out("mermaid"); !strings.HasPrefix(m, "sequenceDiagram\n") || !strings.Contains(m, "DisconnectEx(s=sock2, ov=ov1, TF_REUSE_SOCKET, 0)") {
		t.Errorf("trace -format mermaid:\n%s", m)
	}
	var doc jsonTrace
	if err := json.Unmarshal([]byte(out("json")), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Events) == 0 || len(doc.States) != len(doc.Events) || doc.End != "241s" {
		t.Fatalf("trace -format json: %d events, %d states, end %q", len(doc.Events), len(doc.States), doc.End)
	}
	if doc.Events[1].Args != "sock1" {
		t.Errorf("the first socket's creation reads %q, want its name sock1", doc.Events[1].Args)
	}
	// The reused socket is reusable once the peer's FIN is in, its
	// TIME_WAIT row behind it (DX-FLAG-TIMEWAIT, default after-close).
	var sawReusable bool
	for _, st := range doc.States {
		if st["sock2"] == "reusable" {
			sawReusable = true
		}
	}
	if !sawReusable {
		t.Errorf("no step of the JSON shows sock2 reusable")
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"trace", "-format", "png", "timewait/delay-240s-default"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("trace -format png: exit %d, want %d", code, exitUsage)
	}
}

// docsPictures are the scenarios whose pictures docs/pictures holds.
var docsPictures = []string{"timewait-delays-reuse", "wrong-reuse-target", "completion-port"}

// TestDocsPictures checks that docs/pictures/*.svg and *.mmd are what
// `disconnectex run -format svg|mermaid` draws for the scenarios today, and
// that the README shows them.
func TestDocsPictures(t *testing.T) {
	for _, name := range docsPictures {
		for _, format := range []string{"svg", "mermaid"} {
			var out, stderr bytes.Buffer
			script := filepath.Join("..", "..", "testdata", "scenarios", name+".dx")
			if code := run([]string{"run", "-format", format, script}, &out, &stderr); code != exitOK {
				t.Fatalf("run -format %s %s: exit %d: %s", format, name, code, stderr.String())
			}
			ext := map[string]string{"svg": ".svg", "mermaid": ".mmd"}[format]
			docsync.CheckFile(t, filepath.Join("..", "..", "docs", "pictures", name+ext), out.String(), *update,
				"go test ./cmd/disconnectex -run TestDocsPictures -update")
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range docsPictures {
		if !strings.Contains(string(readme), "docs/pictures/"+name+".svg") {
			t.Errorf("README.md does not show docs/pictures/%s.svg", name)
		}
	}
}
