package picture

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// maxMessage is the longest message text the diagram shows; longer text
// (a whole TCP table, say) is cut with an ellipsis.
const maxMessage = 90

// Mermaid writes evs as a Mermaid sequenceDiagram. The participants are
// the threads that issue calls (T0 is the main thread) and the sockets,
// events and ports the calls use, in order of first appearance, named by
// names (AutoNames(evs) when nil). A call is an arrow from its thread to
// the object it acts on and its result the dashed arrow back; a state
// change, a TCP state change or a completion is a note over the socket.
// Every step starts with its virtual time.
func Mermaid(w io.Writer, evs []emulator.Event, names Names) error {
	if names == nil {
		names = AutoNames(evs)
	}
	r := reader{names: names}
	bw := bufio.NewWriter(w)
	ps := participants(evs, &r)
	fmt.Fprintln(bw, "sequenceDiagram")
	for _, p := range ps.order {
		fmt.Fprintf(bw, "    participant %s as %s\n", p, mermaidText(ps.label[p]))
	}
	for _, ev := range evs {
		thread := fmt.Sprintf("T%d", ev.Thread)
		at := "[" + spec.FormatDuration(ev.Time) + "] "
		switch ev.Kind {
		case emulator.KindCall:
			fmt.Fprintf(bw, "    %s->>%s: %s\n", thread, ps.target(ev, &r, thread), mermaidText(at+ev.Call+"("+r.label(ev.Args)+")"))
		case emulator.KindResult:
			text := ev.Result
			if ev.Args != "" && !strings.HasPrefix(ev.Args, "&{") {
				text += " [" + r.label(resultExtra(ev)) + "]"
			}
			fmt.Fprintf(bw, "    %s-->>%s: %s\n", ps.target(ev, &r, thread), thread, mermaidText(at+r.label(text)))
		case emulator.KindTransition:
			what := r.label(ev.Result)
			if ev.Call == "TCP" {
				what = "TCP " + what
			} else {
				what += " (" + ev.Call + ")"
			}
			fmt.Fprintf(bw, "    Note over %s: %s\n", ps.target(ev, &r, thread), mermaidText(at+what))
		case emulator.KindCompletion:
			fmt.Fprintf(bw, "    Note over %s: %s\n", ps.target(ev, &r, thread),
				mermaidText(at+"completed: "+strings.TrimSpace(ev.Call+" "+r.label(ev.Args)+" "+ev.Result)))
		case emulator.KindFault:
			fmt.Fprintf(bw, "    Note over %s: %s\n", ps.target(ev, &r, thread),
				mermaidText(at+"fault ("+ev.Args+"): "+ev.Call+": "+r.label(ev.Result)))
		}
	}
	return bw.Flush()
}

// resultExtra is a result's extra text, with a created handle in hex so
// that names can name it.
func resultExtra(ev emulator.Event) string {
	if v, ok := Created(ev); ok {
		return fmt.Sprintf("%#x", v)
	}
	return ev.Args
}

type participantSet struct {
	order []string          // participant ids in order of appearance
	label map[string]string // id -> displayed name
	ids   map[uint64]string // handle value -> id
}

// participants collects the threads and named handles of evs.
func participants(evs []emulator.Event, r *reader) *participantSet {
	ps := &participantSet{label: map[string]string{}, ids: map[uint64]string{}}
	add := func(id, label string) {
		if _, ok := ps.label[id]; !ok {
			ps.order = append(ps.order, id)
			ps.label[id] = label
		}
	}
	add("T0", "thread 0")
	for _, ev := range evs {
		add(fmt.Sprintf("T%d", ev.Thread), fmt.Sprintf("thread %d", ev.Thread))
		if ev.Socket != 0 {
			ps.handle(uint64(ev.Socket), r, add)
		}
		if v, ok := Created(ev); ok && stems[ev.Call] != "ov" {
			ps.handle(v, r, add)
		}
	}
	return ps
}

func (ps *participantSet) handle(v uint64, r *reader, add func(id, label string)) {
	if _, ok := ps.ids[v]; ok {
		return
	}
	name := r.names(v)
	if name == "" {
		name = fmt.Sprintf("%#x", v)
	}
	id := fmt.Sprintf("h%d", len(ps.ids)+1)
	ps.ids[v] = id
	add(id, name)
}

// target is the participant an event concerns: its socket, the handle a
// creating call returned, else the first known handle among its arguments,
// else the issuing thread itself.
func (ps *participantSet) target(ev emulator.Event, r *reader, thread string) string {
	if v, ok := Created(ev); ok {
		if id, ok := ps.ids[v]; ok {
			return id
		}
	}
	if id, ok := ps.ids[uint64(ev.Socket)]; ok && ev.Socket != 0 {
		return id
	}
	for _, w := range hexWord.FindAllString(ev.Args, -1) {
		var v uint64
		if _, err := fmt.Sscanf(w, "0x%x", &v); err == nil {
			if id, ok := ps.ids[v]; ok {
				return id
			}
		}
	}
	return thread
}

// mermaidText makes s safe as Mermaid message text: the characters Mermaid
// reads as syntax become entity codes, and long text is cut.
func mermaidText(s string) string {
	if r := []rune(s); len(r) > maxMessage {
		s = string(r[:maxMessage-1]) + "…"
	}
	return strings.NewReplacer("#", "#35;", ";", "#59;", "\n", " ", "<", "#lt;", ">", "#gt;").Replace(s)
}
