#!/usr/bin/env bash
# Exercise 4, "Setting Pod-Level Resource Limits", steps 1 to 3.

# Step 1: cleanup first, errors expected.
podman pod rm -f limited-pod
podman rm -f limited-c1 limited-c2
set -ex
podman pod create --name limited-pod \
  --memory 200m \
  --cpus 1.0 \
  -p 8082:80

# Step 2
podman run -d --pod limited-pod --name limited-c1 alpine sleep infinity
podman run -d --pod limited-pod --name limited-c2 alpine sleep infinity

# Step 3. The course's first variant (`.[0].InfraContainerID`) fails on Podman 4.3, whose
# `pod inspect` prints one object; the course gives this second variant for that case.
INFRA_ID=$(podman pod inspect limited-pod | jq -r '.InfraContainerID')
podman inspect "${INFRA_ID}" | jq '.[0].HostConfig | {Memory: .Memory, NanoCpus: .NanoCpus, CpuQuota: .CpuQuota, CpuPeriod: .CpuPeriod}'
podman pod stats limited-pod --no-stream
