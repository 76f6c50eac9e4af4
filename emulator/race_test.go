//go:build race

package emulator

func init() { raceEnabled = true }
