package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/internal/docsync"
	"github.com/disconnectex/disconnectex/spec"
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
	if c := run([]string{"churn", "-rate", "10/s", "-for", "10m", "-reuse", "10", "-format", "json"}, &out, io.Discard); c != exitOK {
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

// A run shorter than a TIME_WAIT period is measured over its second half,
// and its fixes are the boundary values: 100/s for 240 s is 24,000 rows.
func TestChurnShortReport(t *testing.T) {
	var out bytes.Buffer
	if c := run([]string{"churn", "-rate", "100/s", "-for", "5m"}, &out, io.Discard); c != exitOK {
		t.Fatalf("exit %d", c)
	}
	wantLines(t, out.String(),
		"measured over the second half (2m30s, shorter than one TIME_WAIT period)",
		// 100/s for 240 s is 24,000 rows: 24,001 ports, and one more for
		// the listener's port 8080 inside 1025-25026.
		"fix: more ports: a dynamic range of 24002 ports (netsh int ipv4 set dynamicport tcp start=1025 num=24002;",
		"fix: a shorter delay: TcpTimedWaitDelay 163 s (simulated: no failure)\n",
	)
	if strings.Contains(out.String(), "fix: both") {
		t.Errorf("a range that can hold the workload needs no combined fix:\n%s", out.String())
	}
}

// With -reuse the plot has one pair of lines per variant of
// DX-FLAG-TIMEWAIT, each named in the legend, and the grid's labels are
// round numbers and round instants.
func TestChurnSVGVariantsAndAxes(t *testing.T) {
	var out bytes.Buffer
	if c := run([]string{"churn", "-rate", "10/s", "-for", "20m", "-reuse", "4", "-format", "svg"}, &out, io.Discard); c != exitOK {
		t.Fatalf("exit %d", c)
	}
	svg := out.String()
	if err := xml.Unmarshal(out.Bytes(), new(struct{})); err != nil {
		t.Fatalf("SVG does not parse: %v", err)
	}
	for _, want := range []string{
		"10 connections/s for 20m0s, the client closes first, TcpTimedWaitDelay 4m0s, ports 49152-65535, reuse pool of 4",
		"TIME_WAIT rows (DX-FLAG-TIMEWAIT after-close)", "TIME_WAIT rows (DX-FLAG-TIMEWAIT waits)",
		"free dynamic ports (DX-FLAG-TIMEWAIT waits)",
		">0s<", ">5m0s<", ">10m0s<", ">20m0s<", ">0<", ">5000<", ">20000<",
		"virtual time",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("missing %q", want)
		}
	}
	if n := strings.Count(svg, "<polyline"); n != 4 {
		t.Errorf("%d polylines, want 4 (rows and free ports for each of two variants)", n)
	}
}

func TestNiceSteps(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{{0, 1}, {0.3, 1}, {1, 1}, {3, 5}, {4096, 5000}, {4097, 5000}, {16384.0 / 4, 5000}, {20001, 50000}, {99, 100}} {
		if got := niceStep(c.in); got != c.want {
			t.Errorf("niceStep(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want time.Duration }{
		{0, 1}, {3 * time.Millisecond, 5 * time.Millisecond}, {12 * time.Minute, 15 * time.Minute},
		{time.Hour / 5, 15 * time.Minute}, {100 * 24 * time.Hour, 100 * 24 * time.Hour}, {math.MaxInt64, math.MaxInt64},
	} {
		if got := niceDuration(c.in); got != c.want {
			t.Errorf("niceDuration(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestDocsChurn keeps the README's churn example and its plot
// (docs/pictures/churn.svg) in step with what churn prints for the
// issue's default run: the client closing first at 10,000/s for an hour.
// The measured rate is the closed form's over whole periods, and the
// fixes, each simulated, give the delay alone, and with the widest range,
// that would do, noting where they fall under the older references' 30 s
// minimum.
func TestDocsChurn(t *testing.T) {
	args := []string{"churn", "-rate", "10000/s", "-for", "1h"}
	var text, svg bytes.Buffer
	if c := run(args, &text, io.Discard); c != exitOK {
		t.Fatalf("exit %d", c)
	}
	for _, want := range []string{
		"first WSAENOBUFS: at 1.6384s (connection 16385)",
		"sustainable rate: 68.27 connections/s (closed form), 68.27 measured over the last 7 x 4m0s (whole TIME_WAIT periods)",
		"not simulated: more ports: 2400001 would be needed, more than 1025-65535 holds",
		"fix: a shorter delay: TcpTimedWaitDelay 1 s (under 30 s,",
		"fix: both: the widest range (start=1025 num=64511) with TcpTimedWaitDelay 6 s (under 30 s,",
		"fix: the server closing first: its TIME_WAIT rows hold no client port (-server-first) (simulated: no failure)",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("missing %q in:\n%s", want, text.String())
		}
	}
	run(append(args, "-format", "svg"), &svg, io.Discard)
	how := "go test ./cmd/disconnectex -run TestDocsChurn -update"
	section := "`go run ./cmd/disconnectex churn -rate 10000/s -for 1h` (regenerated by `" + how + "`):\n\n```text\n" +
		strings.TrimRight(text.String(), "\n") + "\n```\n\n![TIME_WAIT rows and free ports over an hour of churn](docs/pictures/churn.svg)"
	docsync.Check(t, filepath.Join("..", "..", "README.md"), "churn", section, *update, how)
	docsync.CheckFile(t, filepath.Join("..", "..", "docs", "pictures", "churn.svg"), svg.String(), *update, how)
}

// The fixes are simulated, and the values found are the boundary: the
// fix works, one step short of it does not.
func TestChurnFixesAreBoundaries(t *testing.T) {
	s := spec.DefaultSettings()
	w := emulator.Workload{Rate: 100, Duration: 20 * time.Minute, Settings: s}
	res, err := emulator.Churn(w)
	if err != nil || res.First == nil {
		t.Fatalf("%v, first failure %v", err, res.First)
	}
	fx := fixes(w, res, io.Discard)
	byChange := map[string]churnFix{}
	for _, f := range fx {
		byChange[strings.SplitN(f.Change, ":", 2)[0]] = f
		if f.Simulated && f.Sufficient != (f.First == nil) {
			t.Errorf("%+v: sufficient and a failure disagree", f)
		}
	}
	fails := func(w emulator.Workload) bool {
		t.Helper()
		r, err := emulator.Churn(w)
		if err != nil {
			t.Fatal(err)
		}
		return r.First != nil
	}
	if f := byChange["more ports"]; !f.Sufficient || !strings.Contains(f.Change, "num=24002;") {
		t.Errorf("more ports: %+v", f)
	}
	short := w
	short.Settings.DynamicPorts = spec.PortRange{Start: 1025, Count: 24001}
	if !fails(short) {
		t.Errorf("1025+24001 (24,000 ports besides the listener's) does not fail: the fix is not the boundary")
	}
	if f := byChange["a shorter delay"]; !f.Sufficient || !strings.Contains(f.Change, "TcpTimedWaitDelay 163 s") {
		t.Errorf("a shorter delay: %+v", f)
	}
	long := w
	long.Settings.TcpTimedWaitDelay = 164 * time.Second
	if !fails(long) {
		t.Errorf("164 s does not fail: the fix is not the boundary")
	}
	if f := byChange["the server closing first"]; !f.Sufficient {
		t.Errorf("the server closing first: %+v", f)
	}
	b, _ := json.Marshal(fx)
	if !strings.Contains(string(b), `"sufficient":true`) || !strings.Contains(string(b), `"change":"more ports: a dynamic range of 24002 ports`) {
		t.Errorf("JSON: %s", b)
	}
}

// With -reuse each DX-FLAG-TIMEWAIT variant has its own closed form and
// pool fix (after-close: a socket holds a 4-tuple per server; waits: it
// waits its delay out whatever the server); a -variant for that clause
// runs only that variant; -model-limit stops a run that would go one by
// one for too long.
func TestChurnPoolVariants(t *testing.T) {
	var out bytes.Buffer
	args := []string{"churn", "-rate", "50/s", "-for", "20m", "-reuse", "200", "-delay", "30s", "-servers", "2"}
	if c := run(args, &out, io.Discard); c != exitOK {
		t.Fatalf("exit %d", c)
	}
	reports := strings.Split(out.String(), "\n\n")
	if len(reports) < 2 {
		t.Fatalf("want a report per variant:\n%s", out.String())
	}
	for i, want := range [][]string{
		{"DX-FLAG-TIMEWAIT=after-close", "sustainable rate: 13.33 connections/s (closed form)", "fix: a pool of 751 sockets (simulated: no failure)", "fix: more server endpoints: 8 server ports"},
		{"DX-FLAG-TIMEWAIT=waits", "sustainable rate: 6.667 connections/s (closed form)", "fix: a pool of 1501 sockets (simulated: no failure)"},
	} {
		for _, w := range want {
			if !strings.Contains(reports[i], w) {
				t.Errorf("report %d: missing %q in:\n%s", i, w, reports[i])
			}
		}
	}
	out.Reset()
	if c := run([]string{"churn", "-rate", "10/s", "-for", "5m", "-reuse", "4", "-variant", "DX-FLAG-TIMEWAIT=waits", "-format", "json"}, &out, io.Discard); c != exitOK {
		t.Fatalf("exit %d", c)
	}
	var res []map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != 1 {
		t.Errorf("-variant DX-FLAG-TIMEWAIT=waits: %v, %d results, want 1", err, len(res))
	}
	var stderr bytes.Buffer
	if c := run([]string{"churn", "-rate", "1000/s", "-for", "1h", "-reuse", "2000", "-delay", "1s", "-model-limit", "10000"}, io.Discard, &stderr); c != exitUsage ||
		!strings.Contains(stderr.String(), "ModelLimit") || !strings.Contains(stderr.String(), "-model-limit 10000") {
		t.Errorf("-model-limit 10000: exit %d, stderr %q", c, stderr.String())
	}
}

// -client, -server and -server-port place the workload: the report names
// them, the listener's port inside the range is one port fewer for the
// clients whatever the addresses (8,999 of 1025-10024 at 240 s: 37.5/s),
// and bad addresses and ports are usage errors.
func TestChurnAddresses(t *testing.T) {
	var out bytes.Buffer
	args := []string{"churn", "-rate", "100/s", "-for", "10m", "-client", "127.0.0.2", "-server", "127.0.0.3",
		"-server-port", "9000", "-port-start", "1025", "-port-count", "9000"}
	if c := run(args, &out, io.Discard); c != exitOK {
		t.Fatalf("exit %d", c)
	}
	wantLines(t, out.String(),
		"clients on 127.0.0.2, servers on 127.0.0.3:9000",
		"peak TIME_WAIT rows 8999",
		"sustainable rate: 37.5 connections/s (closed form), 37.5 measured",
	)
	out.Reset()
	if c := run([]string{"churn", "-for", "10m", "-client", "::1", "-server", "::1", "-server-first"}, &out, io.Discard); c != exitOK ||
		!strings.Contains(out.String(), "servers on [::1]:8080") || !strings.Contains(out.String(), "exhaustion: none") {
		t.Errorf("IPv6, server first: exit %d\n%s", c, out.String())
	}
	for _, bad := range [][]string{
		{"churn", "-client", "foo"}, {"churn", "-client", "::1"}, {"churn", "-server", "192.0.2.1"},
		{"churn", "-server-port", "0"}, {"churn", "-server-port", "65536"}, {"churn", "-server-port", "65535", "-servers", "2"},
	} {
		var stderr bytes.Buffer
		if c := run(bad, io.Discard, &stderr); c != exitUsage || stderr.Len() == 0 {
			t.Errorf("%v: exit %d, want %d with a message (%q)", bad, c, exitUsage, stderr.String())
		}
	}
}

// wantLines reports each of wants that text lacks.
func wantLines(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
}
