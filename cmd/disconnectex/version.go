package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

const versionHead = `usage: disconnectex version

Print the version of this build: the module version that go install
recorded (or "(devel)" for a build from a checkout, with the VCS revision
when the build recorded one), the Go version and the target platform.
`

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("version", versionHead)
	if code := parseNoArgs(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, versionLine(info))
	return exitOK
}

// versionLine formats the build information: "disconnectex v0.1.0 go1.26.8
// linux/amd64", or with "(devel)" and the revision for a build from a
// checkout. info is nil when the binary carries no build information.
func versionLine(info *debug.BuildInfo) string {
	version, goVersion := "(unknown)", runtime.Version()
	var revision, modified string
	if info != nil {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = "+dirty"
				}
			}
		}
	}
	line := "disconnectex " + version
	if revision != "" && (version == "(devel)" || version == "(unknown)") {
		if len(revision) > 12 {
			revision = revision[:12]
		}
		line += " " + revision + modified
	}
	return line + " " + goVersion + " " + runtime.GOOS + "/" + runtime.GOARCH
}
