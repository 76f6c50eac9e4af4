module example.com/reusemod

go 1.26.0

require github.com/disconnectex/disconnectex v0.0.0

replace github.com/disconnectex/disconnectex => ../..

require golang.org/x/sys v0.50.0 // indirect
