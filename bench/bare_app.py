"""The baseline: a bare Flask endpoint that parses the same JSON body and returns a fixed answer
of the same size as refsvc's."""
import json
import os

from flask import Flask, jsonify, request

app = Flask(__name__)
app.json.sort_keys = False
# The same answer refsvc gives (bench/api_speed.py writes it), so both send the same bytes.
with open(os.environ["BENCH_ANSWER_FILE"], encoding="utf-8") as handle:
    ANSWER = json.load(handle)


@app.post("/v1/citations")
def citations():
    request.get_json()
    return jsonify(ANSWER)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
