// Package picture draws emulator traces for people: a Mermaid sequence
// diagram (Mermaid) and an SVG timeline drawn to scale on the virtual time
// axis (SVG). Both take the events of one emulator, as Emulator.Trace
// returns them, and a Names function that names the handles and overlapped
// addresses in them; AutoNames names them the way `disconnectex trace`
// does (sock1, event1, port1, ov1, ... in the order the calls create them),
// and a script runner passes the script's own names instead.
//
// # Model
//
// Timeline reads a trace into lanes: one lane per socket and one per TCP
// connection (a 4-tuple), in the order they first appear. A lane is a row of
// bands, each a state held from one time to the next: a socket's
// spec.State, or a connection's TCP state. Calls, error results and
// completions are marks on the lane of the socket they concern. Both
// pictures are drawn from that model, so what they show is what the trace
// says and nothing else; the output depends only on the trace, byte for
// byte.
//
// The SVG is 1200 px wide and scales virtual time linearly: a 240 s
// TIME_WAIT is a long band and a reuse that takes no virtual time a sliver.
// Every band and mark carries its times in data attributes (data-from,
// data-to, data-at, in nanoseconds of virtual time) and a <title> that a
// browser shows on hover.
package picture
