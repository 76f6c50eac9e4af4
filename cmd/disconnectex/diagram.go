package main

import (
	"fmt"
	"io"

	"github.com/disconnectex/disconnectex/emulator"
)

const diagramHelp = `Usage: disconnectex diagram [-format mermaid|dot]

Print the socket life-cycle state machine that the emulator itself runs on:
the diagram is generated from emulator.Transitions(), the table the
emulator looks every state change up in, so it cannot drift from the code.
The states are spec.State: unconnected, bound, listening, connecting,
connected, transmit-closing (our FIN sent), TIME_WAIT (a TF_REUSE_SOCKET
request waiting out the connection's TIME_WAIT), reusable (ready for
ConnectEx or AcceptEx) and closed.

Mermaid renders on GitHub inside a mermaid code block; dot is for Graphviz
(disconnectex diagram -format dot | dot -Tsvg > states.svg).
`

func runDiagram(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("diagram", diagramHelp)
	format := fs.String("format", "mermaid", "output format: mermaid or dot")
	if st := parseNoArgs(fs, args, stdout, stderr); st >= 0 {
		return st
	}
	if st := checkFormat(fs, stderr, *format, "mermaid", "dot"); st >= 0 {
		return st
	}
	d, err := emulator.Diagram(*format)
	if err != nil {
		fmt.Fprintf(stderr, "disconnectex diagram: %v\n", err)
		return exitUnexpected
	}
	fmt.Fprint(stdout, d)
	return exitOK
}
