//go:build !race

package durability

// Race reports whether the race detector is built in; it multiplies the
// memory a program holds several times over, so memory limits do not apply.
const Race = false
