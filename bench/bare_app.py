"""The baseline: a bare Flask endpoint that parses the same JSON body and returns a fixed answer."""
from flask import Flask, jsonify, request

app = Flask(__name__)
ANSWER = {"csl": {}, "citations": {"apa": {"bibliography": {"text": "x" * 200, "html": "x" * 200}}}}


@app.post("/v1/citations")
def citations():
    request.get_json()
    return jsonify(ANSWER)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
