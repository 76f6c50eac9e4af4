package picture_test

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/picture"
	"github.com/disconnectex/disconnectex/spec"
)

// TestFaultPictured: a fault rule's event is a mark on its socket's lane
// in the SVG, with a legend entry, and a note in the Mermaid diagram.
func TestFaultPictured(t *testing.T) {
	em, err := emulator.New(spec.DefaultSettings(), emulator.WithTrace(), emulator.WithFaults(emulator.Fault{
		Call: "ConnectEx", Action: emulator.FaultComplete, Status: spec.STATUS_CONNECTION_REFUSED, Delay: 2 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := em.Socket(spec.AF_INET, spec.SOCK_STREAM, spec.IPPROTO_TCP, spec.WSA_FLAG_OVERLAPPED)
	_ = em.Bind(c, netip.MustParseAddrPort("0.0.0.0:0"))
	ov, _ := em.NewOverlapped(0)
	_ = em.ConnectEx(c, netip.MustParseAddrPort("127.0.0.1:8080"), ov)
	if _, err := em.GetOverlappedResult(spec.Handle(c), ov, true); err != spec.ERROR_CONNECTION_REFUSED {
		t.Fatalf("faulted ConnectEx: %v", err)
	}
	evs := em.Trace()
	var svg, mmd bytes.Buffer
	if err := picture.SVG(&svg, "fault", evs, picture.AutoNames(evs)); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(svg.String(), `class="mark fault"`); n != 2 {
		t.Errorf("%d fault marks, want 2 (the fault and its completion 2 s later)", n)
	}
	if !strings.Contains(svg.String(), "fault injected") {
		t.Error("no legend entry for the fault mark")
	}
	if err := picture.Mermaid(&mmd, evs, picture.AutoNames(evs)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mmd.String(), "fault (rule 1): ConnectEx: pends, completes after 2s with STATUS_CONNECTION_REFUSED") {
		t.Errorf("mermaid:\n%s", mmd.String())
	}
}
