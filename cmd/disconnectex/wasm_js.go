//go:build js && wasm

package main

import (
	"syscall/js"
)

// In the browser the command does not run once and exit: it registers its
// functions for the playground page (playground/app.js) and stays.
func init() {
	jsHost = func() {
		api := map[string]any{
			"run": js.FuncOf(func(_ js.Value, args []js.Value) any {
				return playgroundRunJSON(argString(args, 0), argString(args, 1))
			}),
			"explain": js.FuncOf(func(_ js.Value, args []js.Value) any {
				return explainText(argString(args, 0))
			}),
			"states": js.FuncOf(func(_ js.Value, args []js.Value) any {
				return statesSVG(argString(args, 0))
			}),
			"churn": js.FuncOf(func(_ js.Value, args []js.Value) any {
				return playgroundChurnJSON(argString(args, 0))
			}),
			"scenarios": js.FuncOf(func(js.Value, []js.Value) any {
				return scenariosJSON()
			}),
		}
		js.Global().Set("disconnectex", js.ValueOf(api))
		if ready := js.Global().Get("__disconnectexReady"); ready.Type() == js.TypeFunction {
			ready.Invoke()
		}
		select {}
	}
}

func argString(args []js.Value, i int) string {
	if i < len(args) && args[i].Type() == js.TypeString {
		return args[i].String()
	}
	return ""
}
