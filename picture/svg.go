package picture

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// Geometry of the SVG timeline, in pixels.
const (
	svgWidth    = 1200
	laneLeft    = 250 // where the time axis starts; lane names sit left of it
	laneRight   = 30  // margin right of the axis
	axisTop     = 74  // the time axis line
	lanesTop    = 86  // the first lane
	laneHeight  = 34
	bandHeight  = 18
	legendRow   = 22
	legendCols  = 4
	legendWidth = (svgWidth - 40) / legendCols
)

// Fill colours of the states: socket states (spec.State) and TCP states.
var stateFill = map[string]string{
	"unconnected": "#d9d9d9", "bound": "#b4c7e7", "listening": "#8fb4e3", "connecting": "#ffe08a",
	"connected": "#8ccf8c", "transmit-closing": "#f4a460", "TIME_WAIT": "#b39ddb", "reusable": "#5fc9c9",
	"LISTEN": "#8fb4e3", "SYN_SENT": "#ffe08a", "SYN_RCVD": "#ffe08a", "ESTABLISHED": "#8ccf8c",
	"FIN_WAIT1": "#f8c291", "FIN_WAIT2": "#f4a460", "CLOSE_WAIT": "#f6e58d", "CLOSING": "#f8c291",
	"LAST_ACK": "#f6e58d", "DELETE_TCB": "#d9d9d9",
}

// legendOrder lists the states in the order the legend shows them.
func legendOrder() []string {
	var out []string
	for _, s := range spec.States() {
		if s != spec.StateClosed {
			out = append(out, s.String())
		}
	}
	for s := spec.TCPListen; s <= spec.TCPDeleteTCB; s++ {
		if s != spec.TCPTimeWait { // drawn like the socket state of the same name
			out = append(out, s.String())
		}
	}
	return out
}

// SVG draws the timeline of evs as an SVG document 1200 px wide, naming
// values with names (AutoNames(evs) when nil). title heads the picture.
func SVG(w io.Writer, title string, evs []emulator.Event, names Names) error {
	return Read(evs, names).SVG(w, title)
}

// SVG draws tl; see the package function SVG.
func (tl *Timeline) SVG(w io.Writer, title string) error {
	bw := bufio.NewWriter(w)
	p := svgPainter{w: bw, tl: tl}
	p.draw(title)
	return bw.Flush()
}

type svgPainter struct {
	w  *bufio.Writer
	tl *Timeline
}

func (p *svgPainter) printf(format string, a ...any) { fmt.Fprintf(p.w, format, a...) }

// x is the horizontal position of virtual time t.
func (p *svgPainter) x(t time.Duration) float64 {
	if p.tl.End <= 0 {
		return laneLeft
	}
	return laneLeft + float64(t)/float64(p.span())*float64(svgWidth-laneLeft-laneRight)
}

// span is the virtual time the axis shows: the trace and a twentieth more,
// so that the states held at the end are visible.
func (p *svgPainter) span() time.Duration {
	if pad := p.tl.End / 20; p.tl.End <= math.MaxInt64-pad {
		return p.tl.End + pad
	}
	return math.MaxInt64
}

func (p *svgPainter) draw(title string) {
	used := map[string]bool{}
	for _, l := range p.tl.Lanes {
		for _, b := range l.Bands {
			used[b.State] = true
		}
	}
	var legend []string
	for _, s := range legendOrder() {
		if used[s] {
			legend = append(legend, s)
		}
	}
	legendTop := lanesTop + len(p.tl.Lanes)*laneHeight + 24
	marks := MarkCompletion // the fault mark has a legend entry only where one is drawn
	for _, l := range p.tl.Lanes {
		for _, m := range l.Marks {
			if m.Kind == MarkFault {
				marks = MarkFault
			}
		}
	}
	nItems := len(legend) + int(marks) + 1
	height := legendTop + 18 + ((nItems+legendCols-1)/legendCols)*legendRow + 10

	p.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="DejaVu Sans, Verdana, sans-serif" font-size="12">`+"\n",
		svgWidth, height, svgWidth, height)
	p.printf("<title>%s</title>\n", esc(title))
	p.printf(`<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", svgWidth, height)
	p.printf(`<text x="20" y="26" font-size="16" font-weight="bold">%s</text>`+"\n", esc(title))
	p.printf(`<text x="20" y="44" fill="#555555">virtual time, to scale: 0 to %s; %d lanes</text>`+"\n", esc(spec.FormatDuration(p.tl.End)), len(p.tl.Lanes))
	p.axis(legendTop - 14)
	for i, l := range p.tl.Lanes {
		p.lane(i, l)
	}
	p.legend(legendTop, legend, marks)
	p.printf("</svg>\n")
}

// axis draws the time axis with ticks and a grid line down to bottom.
func (p *svgPainter) axis(bottom int) {
	p.printf(`<g class="axis" stroke="#999999">` + "\n")
	p.printf(`<line x1="%d" y1="%d" x2="%d" y2="%d"/>`+"\n", laneLeft, axisTop, svgWidth-laneRight, axisTop)
	step := tickStep(p.span())
	for k := time.Duration(0); k <= p.span()/step; k++ { // step*k <= span: no overflow
		x := p.x(step * k)
		p.printf(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eeeeee"/>`+"\n", x, axisTop, x, bottom)
		p.printf(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>`+"\n", x, axisTop-4, x, axisTop+4)
		p.printf(`<text x="%.1f" y="%d" text-anchor="middle" stroke="none" fill="#555555">%s</text>`+"\n", x, axisTop-8, esc(spec.FormatDuration(step*k)))
	}
	p.printf("</g>\n")
}

// tickStep picks a round step giving at most about ten ticks on [0, end].
func tickStep(end time.Duration) time.Duration {
	if end <= 0 {
		return time.Second
	}
	for _, unit := range []time.Duration{time.Microsecond, time.Millisecond, time.Second} {
		for _, m := range []time.Duration{1, 2, 5, 10, 20, 50, 100, 200, 500} {
			if s := m * unit; end/s <= 10 {
				return s
			}
		}
	}
	s := 1000 * time.Second
	for end/s > 10 && s < end {
		s *= 2
	}
	return s
}

func (p *svgPainter) lane(i int, l Lane) {
	top := lanesTop + i*laneHeight
	mid := top + laneHeight/2
	kind := "socket"
	label := l.Name
	if l.Kind == ConnectionLane {
		kind, label = "connection", "TCP "+l.Name
	}
	p.printf(`<g class="lane %s" data-name="%s">`+"\n", kind, esc(l.Name))
	if i%2 == 1 {
		p.printf(`<rect x="0" y="%d" width="%d" height="%d" fill="#f7f7f7"/>`+"\n", top, svgWidth, laneHeight)
	}
	size := 13
	if l.Kind == ConnectionLane {
		size = 10
	}
	p.printf(`<text x="%d" y="%d" text-anchor="end" font-size="%d" dominant-baseline="middle">%s</text>`+"\n", laneLeft-8, mid, size, esc(label))
	bandTop := mid - bandHeight/2
	for _, b := range l.Bands {
		x0, x1 := p.x(b.From), p.x(b.To)
		if b.ToSeq == 0 {
			x1 = p.x(p.span()) // still held when the trace ends
		}
		width := x1 - x0
		if width < 2 {
			width = 2 // an instant state is a sliver, still visible
		}
		fill := stateFill[b.State]
		if fill == "" {
			fill = "#cccccc"
		}
		p.printf(`<rect class="band" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" stroke="#666666" stroke-width="0.5" data-state="%s" data-from="%d" data-to="%d" data-open="%t"><title>%s: %s from %s to %s</title></rect>`+"\n",
			x0, bandTop, width, bandHeight, fill, esc(b.State), int64(b.From), int64(b.To), b.ToSeq == 0,
			esc(l.Name), esc(b.State), esc(spec.FormatDuration(b.From)), esc(spec.FormatDuration(b.To)))
		if text := b.State; float64(len(text))*6.6+8 < width {
			p.printf(`<text x="%.1f" y="%d" font-size="11" dominant-baseline="middle" pointer-events="none">%s</text>`+"\n", x0+4, mid, esc(text))
		}
	}
	for _, m := range l.Marks {
		p.mark(m, top)
	}
	p.printf("</g>\n")
}

// mark draws a call as a small triangle above the band, and below it a
// pending result as a hollow circle, an error as a cross, a completion as
// a filled circle.
func (p *svgPainter) mark(m Mark, top int) {
	cy := top + laneHeight - 5
	if m.Kind == MarkCall {
		cy = top + 4
	}
	p.glyph(m, p.x(m.At), cy,
		fmt.Sprintf(`class="mark %s" data-at="%d" data-seq="%d"`, m.Kind, int64(m.At), m.Seq),
		fmt.Sprintf("<title>%s %s: %s</title>", esc(spec.FormatDuration(m.At)), m.Kind, esc(m.Text)))
}

// glyph draws the shape of m's kind centred on (x, cy).
func (p *svgPainter) glyph(m Mark, x float64, cy int, attrs, title string) {
	switch m.Kind {
	case MarkCall:
		p.printf(`<path %s d="M%.1f %dl-3.5 -5h7z" fill="#444444">%s</path>`+"\n", attrs, x, cy+3, title)
	case MarkPending:
		p.printf(`<circle %s cx="%.1f" cy="%d" r="3.5" fill="#ffffff" stroke="#e67e00" stroke-width="1.5">%s</circle>`+"\n", attrs, x, cy, title)
	case MarkError:
		p.printf(`<path %s d="M%.1f %dl7 7m0 -7l-7 7" stroke="#c0392b" stroke-width="2">%s</path>`+"\n", attrs, x-3.5, cy-3, title)
	case MarkCompletion:
		fill := "#1e8449"
		if m.Failed {
			fill = "#c0392b"
		}
		p.printf(`<circle %s cx="%.1f" cy="%d" r="4" fill="%s">%s</circle>`+"\n", attrs, x, cy, fill, title)
	case MarkFault:
		p.printf(`<path %s d="M%.1f %dl4 4l-4 4l-4 -4z" fill="#8e44ad">%s</path>`+"\n", attrs, x, cy-4, title)
	}
}

func (p *svgPainter) legend(top int, states []string, marks MarkKind) {
	p.printf(`<g class="legend">` + "\n")
	p.printf(`<text x="20" y="%d" font-weight="bold">Legend</text>`+"\n", top)
	item := 0
	at := func() (int, int) {
		x, y := 20+(item%legendCols)*legendWidth, top+12+(item/legendCols)*legendRow
		item++
		return x, y
	}
	for _, s := range states {
		x, y := at()
		p.printf(`<rect x="%d" y="%d" width="22" height="12" fill="%s" stroke="#666666" stroke-width="0.5"/>`+"\n", x, y, stateFill[s])
		p.printf(`<text x="%d" y="%d" dominant-baseline="middle">%s</text>`+"\n", x+28, y+6, esc(s))
	}
	for k := MarkCall; k <= marks; k++ {
		x, y := at()
		p.glyph(Mark{Kind: k}, float64(x+11), y+6, `class="key"`, "")
		p.printf(`<text x="%d" y="%d" dominant-baseline="middle">%s</text>`+"\n", x+28, y+6, esc(markLegend[k]))
	}
	p.printf("</g>\n")
}

var markLegend = [...]string{"call on the socket", "ERROR_IO_PENDING: request in flight", "call failed", "request completed (red: failed)", "fault injected (emulator.Fault)"}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
