# ... (Python code as before) ...
import random
from flask import Flask, jsonify
from flask_cors import CORS
import time
import os
import signal
import sys

app = Flask(__name__)
CORS(app) # Allow Cross-Origin requests

# Simple text snippets
text_snippets = [
    "Podman makes containers easy!",
    "Pods share a network namespace.",
    "Communication via localhost is possible in a pod.",
    "This is sample text from the API.",
    "Containerization is efficient."
]

# Graceful shutdown handler
def handle_signal(signum, frame):
    print(f'Received signal {signum}, shutting down gracefully...')
    sys.exit(0)

signal.signal(signal.SIGTERM, handle_signal)
signal.signal(signal.SIGINT, handle_signal)

@app.route('/text', methods=['GET'])
def get_text():
    snippet = random.choice(text_snippets)
    container_id = os.uname().nodename # Hostname often is the (short) container ID
    response_text = f"{snippet} (from {container_id})"
    print(f"API [{container_id}] served: {snippet}") # Log in container
    time.sleep(0.1) # Simulate work
    return jsonify({"text": response_text})

# --- NEW: Health Check Endpoint ---
@app.route('/health', methods=['GET'])
def health_check():
    # Simple health check endpoint
    return jsonify({"status": "ok"}), 200

if __name__ == '__main__':
    print("Starting Text API server on port 5001...")
    app.run(host='0.0.0.0', port=5001, use_reloader=False)
