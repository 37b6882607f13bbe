/**
 * Physical memory: each host's RAM is a file that every core process on that host maps, so cores of
 * one host share memory as cores of one machine do and cores of different hosts share none.
 */
package io.multikernel.node.memory;
