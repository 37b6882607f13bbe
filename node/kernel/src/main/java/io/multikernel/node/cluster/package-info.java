/**
 * The cluster map: which cores exist, which host each runs on, where its URPC inbox listens and
 * where its admin/metrics HTTP endpoint binds, and how much physical memory each host has and in
 * which file.
 *
 * <p>Read from a YAML file ({@link io.multikernel.node.cluster.ClusterMap#load}), overridden by
 * environment variables and flags ({@link io.multikernel.node.cluster.ClusterOverrides}),
 * validated once at load with one-line errors ({@link io.multikernel.node.cluster.ClusterMapException}),
 * generated for the embedded launcher ({@link io.multikernel.node.cluster.ClusterMap#local}) and
 * written back as YAML ({@link io.multikernel.node.cluster.ClusterMap#toYaml}). Membership is
 * static: the map is the same on every core and does not change while the cluster runs.
 */
package io.multikernel.node.cluster;
