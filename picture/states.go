package picture

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// stateBox places each socket state on the state diagram (centre, px).
var stateBox = map[spec.State][2]float64{
	spec.StateUnconnected:     {110, 60},
	spec.StateBound:           {340, 60},
	spec.StateListening:       {570, 60},
	spec.StateConnecting:      {340, 180},
	spec.StateConnected:       {110, 180},
	spec.StateTransmitClosing: {110, 310},
	spec.StateTimeWait:        {340, 310},
	spec.StateReusable:        {570, 250},
	spec.StateClosed:          {570, 400},
}

const (
	stateW, stateH       = 150.0, 44.0
	diagramW, diagramH   = 680, 450
	closedEdgeNote       = "every state -> closed: closesocket"
	highlightFill        = "#ffd54f"
	plainFill            = "#ffffff"
	stateDiagramFontSize = 13
)

// StateDiagram draws the socket state machine the emulator runs on
// (emulator.Transitions) as an SVG, with each state in at highlighted and
// labelled with the sockets in it: at maps a state's name to the names of
// the sockets holding it. Edges into closed are summarised in one note.
func StateDiagram(w io.Writer, at map[string][]string) error {
	bw := bufio.NewWriter(w)
	pf := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	pf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="DejaVu Sans, Verdana, sans-serif" font-size="%d">`+"\n",
		diagramW, diagramH, diagramW, diagramH, stateDiagramFontSize)
	pf("<title>socket states (emulator.Transitions)</title>\n")
	pf(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#555555"/></marker></defs>` + "\n")
	pf(`<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", diagramW, diagramH)

	// One arrow per pair of states, titled with every event on it.
	type pair struct{ from, to spec.State }
	events := map[pair][]string{}
	var pairs []pair
	for _, t := range emulator.Transitions() {
		if t.From == t.To || t.To == spec.StateClosed {
			continue
		}
		p := pair{t.From, t.To}
		if _, ok := events[p]; !ok {
			pairs = append(pairs, p)
		}
		events[p] = append(events[p], t.Event)
	}
	for _, p := range pairs {
		x1, y1, x2, y2 := edge(stateBox[p.from], stateBox[p.to], events[pair{p.to, p.from}] != nil)
		pf(`<line class="edge" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#555555" stroke-width="1.3" marker-end="url(#arrow)" data-from="%s" data-to="%s"><title>%s -&gt; %s: %s</title></line>`+"\n",
			x1, y1, x2, y2, esc(p.from.String()), esc(p.to.String()), esc(p.from.String()), esc(p.to.String()), esc(strings.Join(events[p], "; ")))
	}
	states := spec.States()
	sort.SliceStable(states, func(i, j int) bool { return states[i] < states[j] })
	for _, s := range states {
		c := stateBox[s]
		who := at[s.String()]
		fill := plainFill
		if len(who) > 0 {
			fill = highlightFill
		}
		pf(`<g class="state" data-state="%s" data-current="%t">`, esc(s.String()), len(who) > 0)
		pf(`<rect x="%.1f" y="%.1f" width="%.0f" height="%.0f" rx="10" fill="%s" stroke="#333333" stroke-width="1.5"/>`,
			c[0]-stateW/2, c[1]-stateH/2, stateW, stateH, fill)
		label, dy := s.String(), 5.0
		if len(who) > 0 {
			dy = -3
		}
		pf(`<text x="%.1f" y="%.1f" text-anchor="middle" font-weight="bold">%s</text>`, c[0], c[1]+dy, esc(label))
		if len(who) > 0 {
			names := strings.Join(who, ", ")
			if len(names) > 22 {
				names = names[:21] + "…"
			}
			pf(`<text x="%.1f" y="%.1f" text-anchor="middle" font-size="11">%s</text>`, c[0], c[1]+13, esc(names))
		}
		pf("</g>\n")
	}
	c := stateBox[spec.StateClosed]
	pf(`<text x="%.1f" y="%.1f" text-anchor="middle" font-size="11" fill="#555555">%s</text>`+"\n", c[0], c[1]+stateH/2+16, esc(closedEdgeNote))
	pf("</svg>\n")
	return bw.Flush()
}

// edge is the arrow from box a to box b, cut at both boxes' borders and
// moved aside when an arrow runs the other way too.
func edge(a, b [2]float64, twoWay bool) (x1, y1, x2, y2 float64) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	d := math.Hypot(dx, dy)
	if d == 0 {
		return a[0], a[1], b[0], b[1]
	}
	ux, uy := dx/d, dy/d
	ox, oy := 0.0, 0.0
	if twoWay {
		ox, oy = -uy*6, ux*6
	}
	cut := func(ux, uy float64) float64 { // distance from a box's centre to its border along (ux, uy)
		tx, ty := math.Inf(1), math.Inf(1)
		if ux != 0 {
			tx = stateW / 2 / math.Abs(ux)
		}
		if uy != 0 {
			ty = stateH / 2 / math.Abs(uy)
		}
		return math.Min(tx, ty) + 2
	}
	s := cut(ux, uy)
	return a[0] + ux*s + ox, a[1] + uy*s + oy, b[0] - ux*s + ox, b[1] - uy*s + oy
}
