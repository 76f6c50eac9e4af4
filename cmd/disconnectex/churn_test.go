package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

func TestChurnSVGValidAndDeterministic(t *testing.T) {
	var a, b, errb bytes.Buffer
	args := []string{"churn", "-rate", "1000/s", "-for", "10m", "-format", "svg"}
	if c := run(args, &a, &errb); c != exitOK {
		t.Fatalf("exit %d: %s", c, errb.String())
	}
	run(args, &b, io.Discard)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs gave different SVG bytes")
	}
	d := xml.NewDecoder(bytes.NewReader(a.Bytes()))
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" || !strings.Contains(a.String(), "first WSAENOBUFS") {
		t.Fatalf("root %q, output:\n%s", root, a.String())
	}
}

func TestChurnTextAndJSON(t *testing.T) {
	var out bytes.Buffer
	if c := run([]string{"churn", "-rate", "10000/s", "-for", "1m", "-server-first"}, &out, io.Discard); c != exitOK {
		t.Fatalf("exit %d", c)
	}
	if !strings.Contains(out.String(), "exhaustion: none") {
		t.Fatalf("server first:\n%s", out.String())
	}
	out.Reset()
	if c := run([]string{"churn", "-rate", "100/s", "-for", "20m", "-reuse", "10", "-format", "json"}, &out, io.Discard); c != exitOK {
		t.Fatalf("exit %d", c)
	}
	var res []map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != 2 {
		t.Fatalf("JSON: %v, %d results (want one per DX-FLAG-TIMEWAIT variant)", err, len(res))
	}
	for _, bad := range [][]string{{"churn", "-rate", "x"}, {"churn", "-format", "png"}, {"churn", "-for", "-1s"}, {"churn", "-variant", "nope"}} {
		if c := run(bad, io.Discard, io.Discard); c != exitUsage {
			t.Errorf("%v: exit %d, want %d", bad, c, exitUsage)
		}
	}
}
