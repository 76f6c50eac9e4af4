package picture_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/picture"
	"github.com/disconnectex/disconnectex/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// reuseAfterTimeWait traces the lesson of the TIME_WAIT: a client closes
// first with DisconnectEx(TF_REUSE_SOCKET), the server closes, and the
// socket is reused with ConnectEx once its TIME_WAIT row has expired.
func reuseAfterTimeWait(t *testing.T) []emulator.Event {
	t.Helper()
	em, err := emulator.New(spec.DefaultSettings(), emulator.WithTrace())
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil && err != spec.ERROR_IO_PENDING {
			t.Fatal(err)
		}
	}
	ln, _ := em.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	must(em.Bind(ln, netip.MustParseAddrPort("127.0.0.1:8080")))
	must(em.Listen(ln, 16))
	c, _ := em.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	must(em.Connect(c, netip.MustParseAddrPort("127.0.0.1:8080")))
	s, _, err := em.Accept(ln)
	must(err)
	ev, _ := em.CreateEvent(true, false)
	ov, _ := em.NewOverlapped(ev)
	must(em.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0))
	must(em.Closesocket(s))
	if _, err := em.GetOverlappedResult(spec.Handle(c), ov, true); err != nil {
		t.Fatal(err)
	}
	// The request completed with the graceful close (DX-FLAG-TIMEWAIT,
	// default after-close); the TIME_WAIT row holds the pair until it ends.
	em.Sleep(spec.DefaultTcpTimedWaitDelay)
	must(em.ConnectEx(c, netip.MustParseAddrPort("127.0.0.1:8080"), ov))
	if _, err := em.GetOverlappedResult(spec.Handle(c), ov, true); err != nil {
		t.Fatal(err)
	}
	return em.Trace()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./picture -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s is stale (-want +got; go test ./picture -update rewrites it):\n%s", path, diff)
	}
}

func TestSVGGolden(t *testing.T) {
	var b bytes.Buffer
	if err := picture.SVG(&b, "reuse after TIME_WAIT", reuseAfterTimeWait(t), nil); err != nil {
		t.Fatal(err)
	}
	golden(t, "reuse-timewait.svg", b.Bytes())
}

func TestMermaidGolden(t *testing.T) {
	var b bytes.Buffer
	if err := picture.Mermaid(&b, reuseAfterTimeWait(t), nil); err != nil {
		t.Fatal(err)
	}
	golden(t, "reuse-timewait.mmd", b.Bytes())
}

// TestSVGIsValidAndToScale parses the SVG and checks that the TIME_WAIT
// band of the client's connection spans 240 s of the axis, and the instant
// states are slivers.
func TestSVGIsValidAndToScale(t *testing.T) {
	evs := reuseAfterTimeWait(t)
	var b bytes.Buffer
	if err := picture.SVG(&b, "reuse after TIME_WAIT", evs, nil); err != nil {
		t.Fatal(err)
	}
	bands := parseBands(t, b.Bytes())
	tl := picture.Read(evs, nil)
	if tl.End != 240*time.Second {
		t.Fatalf("timeline end %v, want 240s", tl.End)
	}
	var timeWait []band
	for _, bd := range bands {
		if bd.state == "TIME_WAIT" {
			timeWait = append(timeWait, bd)
		}
	}
	if len(timeWait) == 0 {
		t.Fatalf("no TIME_WAIT band in %v", bands)
	}
	axis := (1200.0 - 250 - 30) * 240 / 252 // the axis shows the trace and a twentieth more
	for _, bd := range timeWait {
		if bd.to-bd.from != 240*time.Second {
			t.Errorf("TIME_WAIT band %v..%v, want 240s long", bd.from, bd.to)
		}
		if d := bd.width - axis; d < -0.5 || d > 0.5 {
			t.Errorf("TIME_WAIT band is %.1f px wide, want 240/252 of the axis, %.1f px", bd.width, axis)
		}
	}
	for _, bd := range bands {
		if bd.to == bd.from && !bd.open && bd.width != 2 {
			t.Errorf("instant %s band is %.1f px wide, want a 2 px sliver", bd.state, bd.width)
		}
	}
}

type band struct {
	state    string
	from, to time.Duration
	width    float64
	open     bool // still held at the end: drawn to the end of the axis
}

// parseBands reads every token of an SVG document (failing on malformed
// XML) and returns its state bands.
func parseBands(t *testing.T, doc []byte) []band {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	var out []band
	root := true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("invalid SVG: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := map[string]string{}
		for _, a := range se.Attr {
			attr[a.Name.Local] = a.Value
		}
		if root {
			root = false
			if se.Name.Local != "svg" || se.Name.Space != "http://www.w3.org/2000/svg" || attr["width"] != "1200" {
				t.Fatalf("root element %v %v, want a 1200 px wide svg", se.Name, attr)
			}
		}
		if se.Name.Local == "rect" && attr["class"] == "band" {
			from, _ := strconv.ParseInt(attr["data-from"], 10, 64)
			to, _ := strconv.ParseInt(attr["data-to"], 10, 64)
			w, err := strconv.ParseFloat(attr["width"], 64)
			if err != nil {
				t.Fatalf("band width %q: %v", attr["width"], err)
			}
			out = append(out, band{attr["data-state"], time.Duration(from), time.Duration(to), w, attr["data-open"] == "true"})
		}
	}
	return out
}

func TestTimelineLanes(t *testing.T) {
	tl := picture.Read(reuseAfterTimeWait(t), nil)
	var got []string
	for _, l := range tl.Lanes {
		var states []string
		for _, b := range l.Bands {
			states = append(states, b.State)
		}
		got = append(got, l.Name+": "+strings.Join(states, " "))
	}
	want := []string{
		"sock1: unconnected bound listening",
		"sock2: unconnected bound connecting connected transmit-closing reusable connecting connected",
		"127.0.0.1:49152 -> 127.0.0.1:8080: SYN_SENT ESTABLISHED TIME_WAIT ESTABLISHED", // the same 4-tuple, reused
		"sock3: unconnected connected",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lanes (-want +got):\n%s", diff)
	}
}

func TestMermaidEscapes(t *testing.T) {
	evs := []emulator.Event{{Seq: 1, Kind: emulator.KindCall, Call: "x", Args: "a;b#c<d>"}}
	var b bytes.Buffer
	if err := picture.Mermaid(&b, evs, nil); err != nil {
		t.Fatal(err)
	}
	want := "sequenceDiagram\n    participant T0 as thread 0\n    T0->>T0: [0s] x(a#59;b#35;c#lt;d#gt;)\n"
	if got := b.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEmptyTrace(t *testing.T) {
	var b bytes.Buffer
	if err := picture.SVG(&b, "empty", nil, nil); err != nil {
		t.Fatal(err)
	}
	parseBands(t, b.Bytes())
	b.Reset()
	if err := picture.Mermaid(&b, nil, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "sequenceDiagram\n") {
		t.Errorf("empty Mermaid %q", b.String())
	}
}

func TestStateDiagram(t *testing.T) {
	var b bytes.Buffer
	if err := picture.StateDiagram(&b, map[string][]string{"TIME_WAIT": {"c"}, "listening": {"srv"}}); err != nil {
		t.Fatal(err)
	}
	golden(t, "states.svg", b.Bytes())
	doc := b.String()
	if err := xmlValid(doc); err != nil {
		t.Fatalf("invalid SVG: %v", err)
	}
	for _, want := range []string{`data-state="TIME_WAIT" data-current="true"`, `data-state="listening" data-current="true"`,
		`data-state="connected" data-current="false"`, `data-from="TIME_WAIT" data-to="reusable"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("state diagram lacks %s", want)
		}
	}
}

func xmlValid(doc string) error {
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		if _, err := d.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}
