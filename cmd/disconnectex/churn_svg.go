package main

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
	"time"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// churnSVG plots TIME_WAIT rows and free dynamic ports over virtual time,
// one pair of lines per result (with -reuse, one result per variant of
// DX-FLAG-TIMEWAIT, the later ones dashed), with the first failure of each
// marked. The bytes depend only on the workload and the results.
func churnSVG(out io.Writer, w emulator.Workload, results []*emulator.ChurnResult) {
	const W, H = 800, 440
	const left, right, top, bottom = 70, 30, 80, 60 // the plot's margins
	maxY := 1
	for _, res := range results {
		for _, s := range res.Samples {
			maxY = max(maxY, s.TimeWait, s.FreePorts+s.PortsInUse)
		}
	}
	yStep := niceStep(float64(maxY) / 4)
	yTop := int(math.Ceil(float64(maxY)/yStep) * yStep)
	end := float64(max(w.Duration, 1))
	x := func(t time.Duration) float64 { return left + float64(t)/end*(W-left-right) }
	y := func(v int) float64 { return H - bottom - float64(v)/float64(yTop)*(H-top-bottom) }

	fmt.Fprintf(out, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">`+"\n", W, H, W, H)
	fmt.Fprintf(out, `<rect x="0" y="0" width="%d" height="%d" fill="white"/>`+"\n", W, H)
	fmt.Fprintf(out, `<text x="%d" y="20" font-size="13">%s</text>`+"\n", left, html.EscapeString(churnSummary(w)))

	// The grid: horizontal lines at round counts, vertical ones at five
	// round instants of the run.
	for v := 0; v <= yTop; v += int(yStep) {
		fmt.Fprintf(out, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", left, y(v), W-right, y(v))
		fmt.Fprintf(out, `<text x="%d" y="%.1f" font-size="11" text-anchor="end">%d</text>`+"\n", left-6, y(v)+4, v)
	}
	tStep := niceDuration(w.Duration / 5)
	for t := time.Duration(0); t <= w.Duration; t += tStep {
		fmt.Fprintf(out, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", x(t), top, x(t), H-bottom)
		fmt.Fprintf(out, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%v</text>`+"\n", x(t), H-bottom+16, t)
		if t > math.MaxInt64-tStep {
			break
		}
	}
	fmt.Fprintf(out, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", left, H-bottom, W-right, H-bottom)
	fmt.Fprintf(out, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", left, top, left, H-bottom)
	fmt.Fprintf(out, `<text x="%d" y="%d" font-size="12" text-anchor="middle">virtual time</text>`+"\n", (left+W-right)/2, H-bottom+36)
	fmt.Fprintf(out, `<text x="16" y="%d" font-size="12" text-anchor="middle" transform="rotate(-90 16 %d)">rows / ports</text>`+"\n", (top+H-bottom)/2, (top+H-bottom)/2)

	line := func(res *emulator.ChurnResult, f func(emulator.ChurnSample) int) string {
		var b strings.Builder
		for i, s := range res.Samples {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%.1f,%.1f", x(s.Time), y(f(s)))
		}
		return b.String()
	}
	const rowsColor, portsColor = "#c0392b", "#2471a3"
	legendY := 44
	for i, res := range results {
		dash := ""
		if i > 0 {
			dash = ` stroke-dasharray="8 4"`
		}
		name := ""
		if len(results) > 1 {
			name = " (" + variantOf(res, spec.ClauseFlagTimeWait) + ")"
		}
		fmt.Fprintf(out, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n", rowsColor, dash, line(res, func(s emulator.ChurnSample) int { return s.TimeWait }))
		fmt.Fprintf(out, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n", portsColor, dash, line(res, func(s emulator.ChurnSample) int { return s.FreePorts }))
		fmt.Fprintf(out, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n", left, legendY-4, left+24, legendY-4, rowsColor, dash)
		fmt.Fprintf(out, `<text x="%d" y="%d" font-size="12" fill="%s">TIME_WAIT rows%s</text>`+"\n", left+30, legendY, rowsColor, html.EscapeString(name))
		fmt.Fprintf(out, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n", left+330, legendY-4, left+354, legendY-4, portsColor, dash)
		fmt.Fprintf(out, `<text x="%d" y="%d" font-size="12" fill="%s">free dynamic ports%s</text>`+"\n", left+360, legendY, portsColor, html.EscapeString(name))
		legendY += 16
		if f := res.First; f != nil {
			fx := x(f.Time)
			fmt.Fprintf(out, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="gray" stroke-dasharray="4"/>`+"\n", fx, top, fx, H-bottom)
			anchor, tx := "start", fx+4
			if fx > W/2 {
				anchor, tx = "end", fx-4
			}
			fmt.Fprintf(out, `<text x="%.1f" y="%d" font-size="12" text-anchor="%s">first %s at %v%s</text>`+"\n", tx, top+14+16*i, anchor, f.Err, f.Time.Round(time.Millisecond), html.EscapeString(name))
		}
	}
	fmt.Fprintln(out, `</svg>`)
}

// variantOf returns the name of the variant of clause a result ran under.
func variantOf(res *emulator.ChurnResult, clause string) string {
	for _, v := range res.Variants {
		if n, ok := strings.CutPrefix(v, clause+"="); ok {
			return clause + " " + n
		}
	}
	return "?"
}

// niceStep rounds a positive step up to 1, 2 or 5 times a power of ten.
func niceStep(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// niceDuration rounds a step of virtual time up to a round length: 1, 2 or
// 5 times a power of ten below a second, else one of the usual clock
// steps.
func niceDuration(d time.Duration) time.Duration {
	if d < time.Second {
		return time.Duration(niceStep(float64(max(d, 1))))
	}
	for _, s := range []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour} {
		if s >= d {
			return s
		}
	}
	days := niceStep(float64(d) / float64(24*time.Hour))
	if days*float64(24*time.Hour) >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(days) * 24 * time.Hour
}
