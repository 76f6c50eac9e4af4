package main

import (
	"fmt"
	"io"
)

func notYet(name string, stderr io.Writer) int {
	fmt.Fprintf(stderr, "disconnectex %s: not built yet\n", name)
	return exitUnexpected
}

func runReport(args []string, stdout, stderr io.Writer) int  { return notYet("report", stderr) }
func runTrace(args []string, stdout, stderr io.Writer) int   { return notYet("trace", stderr) }
func runScript(args []string, stdout, stderr io.Writer) int  { return notYet("run", stderr) }
func runDiagram(args []string, stdout, stderr io.Writer) int { return notYet("diagram", stderr) }
