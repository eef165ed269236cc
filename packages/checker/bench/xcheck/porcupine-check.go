// Reads the histories written by generate.mjs and prints Porcupine's verdict for each.
// Ops of unknown outcome return at MaxInt64; since Porcupine places every op, the model
// lets an unknown op take no effect where its effect is impossible (as if it never happened).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/anishathalye/porcupine"
)

type rawOp struct {
	Client  int             `json:"client"`
	Key     string          `json:"key"`
	F       string          `json:"f"`
	Input   json.RawMessage `json:"input"`
	Output  json.RawMessage `json:"output"`
	Unknown bool            `json:"unknown"`
	Call    int64           `json:"call"`
	Ret     int64           `json:"ret"`
}

type input struct {
	key  string
	f    string
	a, b int
}

type output struct {
	unknown bool
	v       int
}

func val(raw json.RawMessage) int {
	var v *int
	json.Unmarshal(raw, &v)
	if v == nil {
		return -1
	}
	return *v
}

var model = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		m := map[string][]porcupine.Operation{}
		var keys []string
		for _, op := range history {
			k := op.Input.(input).key
			if _, ok := m[k]; !ok {
				keys = append(keys, k)
			}
			m[k] = append(m[k], op)
		}
		var out [][]porcupine.Operation
		for _, k := range keys {
			out = append(out, m[k])
		}
		return out
	},
	Init: func() interface{} { return -1 },
	Step: func(state, in, out interface{}) (bool, interface{}) {
		s := state.(int)
		i := in.(input)
		o := out.(output)
		switch i.f {
		case "read":
			return o.unknown || o.v == s, s
		case "write":
			return true, i.a
		default: // cas
			if s == i.a {
				return true, i.b
			}
			// an unknown cas may be placed where it has no effect (it never happened)
			return o.unknown, s
		}
	},
	Equal: func(a, b interface{}) bool { return a == b },
}

func main() {
	for i := 0; ; i++ {
		f, err := os.Open(fmt.Sprintf("h/%d.jsonl", i))
		if err != nil {
			return
		}
		var ops []porcupine.Operation
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var r rawOp
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				panic(err)
			}
			in := input{key: r.Key, f: r.F}
			if r.F == "write" {
				in.a = val(r.Input)
			} else if r.F == "cas" {
				var pair []json.RawMessage
				json.Unmarshal(r.Input, &pair)
				in.a, in.b = val(pair[0]), val(pair[1])
			}
			ret := r.Ret
			if ret < 0 {
				ret = math.MaxInt64
			}
			ops = append(ops, porcupine.Operation{ClientId: r.Client, Input: in, Call: r.Call, Output: output{unknown: r.Unknown, v: val(r.Output)}, Return: ret})
		}
		f.Close()
		res := porcupine.CheckOperationsTimeout(model, ops, 10*time.Second)
		v := map[porcupine.CheckResult]string{porcupine.Ok: "linearizable", porcupine.Illegal: "not-linearizable", porcupine.Unknown: "unknown"}[res]
		fmt.Printf("%d %s\n", i, v)
	}
}
