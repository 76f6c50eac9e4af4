package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/picture"
	"github.com/disconnectex/disconnectex/spec"
)

// traceFormats are the -format values of trace and run: the text timeline,
// the events as JSON, a Mermaid sequence diagram, an SVG timeline.
var traceFormats = []string{"text", "json", "mermaid", "svg"}

// jsonEvent is one trace event in -format json, with handles named.
type jsonEvent struct {
	Seq    int    `json:"seq"`
	TimeNS int64  `json:"time_ns"`
	Time   string `json:"time"`
	Kind   string `json:"kind"`
	Thread int    `json:"thread"`
	Socket string `json:"socket,omitempty"`
	Call   string `json:"call"`
	Args   string `json:"args,omitempty"`
	Result string `json:"result,omitempty"`
	From   string `json:"from,omitempty"` // socket state before a transition
	To     string `json:"to,omitempty"`   // and after
}

// jsonTrace is the -format json document.
type jsonTrace struct {
	Title  string      `json:"title"`
	Events []jsonEvent `json:"events"`
	// States is, after each event, the state of every socket lane that
	// exists then (by lane name), for a viewer that steps through events.
	States []map[string]string `json:"states"`
	End    string              `json:"end"`
}

func jsonEvents(evs []emulator.Event, names picture.Names) []jsonEvent {
	out := make([]jsonEvent, 0, len(evs))
	for _, ev := range evs {
		je := jsonEvent{Seq: ev.Seq, TimeNS: int64(ev.Time), Time: spec.FormatDuration(ev.Time), Kind: ev.Kind.String(),
			Thread: ev.Thread, Call: ev.Call, Args: names.Label(ev.Args), Result: names.Label(ev.Result)}
		if v, ok := picture.Created(ev); ok {
			je.Args = names.Label(fmt.Sprintf("%#x", v))
		}
		if ev.Socket != 0 {
			je.Socket = names.Label(fmt.Sprintf("%#x", uint64(ev.Socket)))
		}
		if ev.Kind == emulator.KindTransition && ev.Call != "TCP" && ev.Socket != 0 {
			je.From, je.To = ev.From.String(), ev.To.String()
		}
		out = append(out, je)
	}
	return out
}

// writePicture writes evs in a non-text trace format.
func writePicture(w io.Writer, format, title string, evs []emulator.Event, names picture.Names) error {
	if names == nil {
		names = picture.AutoNames(evs)
	}
	switch format {
	case "mermaid":
		return picture.Mermaid(w, evs, names)
	case "svg":
		return picture.SVG(w, title, evs, names)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(traceDoc(title, evs, names))
	}
	return fmt.Errorf("unknown format %q", format)
}

// traceDoc is the -format json document of evs.
func traceDoc(title string, evs []emulator.Event, names picture.Names) jsonTrace {
	tl := picture.Read(evs, names)
	doc := jsonTrace{Title: title, Events: jsonEvents(evs, names), End: spec.FormatDuration(tl.End), States: make([]map[string]string, 0, len(evs))}
	next := make([]int, len(tl.Lanes)) // per lane, the first band not yet begun
	for _, ev := range evs {
		st := map[string]string{}
		for i := range tl.Lanes {
			l := &tl.Lanes[i]
			if l.Kind != picture.SocketLane {
				continue
			}
			for next[i] < len(l.Bands) && l.Bands[next[i]].FromSeq <= ev.Seq {
				next[i]++
			}
			if k := next[i] - 1; k >= 0 && (l.Bands[k].ToSeq == 0 || ev.Seq < l.Bands[k].ToSeq) {
				st[l.Name] = l.Bands[k].State
			}
		}
		doc.States = append(doc.States, st)
	}
	return doc
}
