# Instructions per request, counted by valgrind (callgrind): start replyd under valgrind
# on a fresh database, send N requests one after another, print the total instructions.
# Run it for two values of N; the difference divided by the difference in N is the cost of
# one request, free of machine noise. Usage:
#   python3 docs/benchmarks/instructions.py target/release/replyd sqlite|postgres N post|get
import http.client, json, os, shutil, subprocess, sys, tempfile, time, uuid
binary, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3]); mode = sys.argv[4] if len(sys.argv) > 4 else "post"
port = 19000 + os.getpid() % 1000
d = tempfile.mkdtemp()
if db == "sqlite":
    url = f"sqlite://{d}/r.db?mode=rwc"
else:
    name = "ir_" + uuid.uuid4().hex[:8]
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-c", f"CREATE DATABASE {name}"], check=True)
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
env = dict(os.environ, REPLYD__DATABASE__URL=url, REPLYD__SERVER__BIND=f"127.0.0.1:{port}",
           REPLYD__RATE_LIMIT__ENABLED="false", REPLYD__MAIL__WORKER="false",
           REPLYD__MAIL__FILE_DIR=f"{d}/mail", RUST_LOG="error")
out = f"{d}/cg.out"
p = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, "serve"],
                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(600):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60); c.request("GET", "/healthz"); c.getresponse().read(); break
    except Exception: time.sleep(0.2)
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
for i in range(n if mode == "post" else 1):
    body = json.dumps({"site": "demo", "uri": f"/p{i % 50}", "author_name": "Ada", "author_email": f"a{i}@example.org", "text": f"Comment number {i} with some words"})
    c.request("POST", "/api/v1/comments", body, {"Content-Type": "application/json"})
    r = c.getresponse(); r.read(); assert r.status == 201, r.status
if mode == "get":
    for i in range(n):
        c.request("GET", "/api/v1/comments?site=demo&uri=/p0")
        r = c.getresponse(); r.read(); assert r.status == 200, r.status
p.terminate(); p.wait()
total = next(l.split()[1] for l in open(out) if l.startswith(("summary:", "totals:")))
print(f"{db} {mode} {n} requests: {total} instructions")
if db != "sqlite":
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-c", f"DROP DATABASE {name}"])
shutil.rmtree(d, ignore_errors=True)
