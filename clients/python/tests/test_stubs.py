"""The stubs the package imports match proto/ as it is now: a stale or hand-edited stub fails here."""
from __future__ import annotations

import importlib
import subprocess
import tempfile
import unittest
from pathlib import Path

from google.protobuf import descriptor_pb2

import generate_stubs

MODULES = {name: f"runlog.v1.{name.removesuffix('.proto')}_pb2" for name in generate_stubs.PROTO_FILES}


def without_json_names(file: descriptor_pb2.FileDescriptorProto) -> descriptor_pb2.FileDescriptorProto:
    """protoc's descriptor sets carry json_name, generated Python code does not: compare without."""
    copy = descriptor_pb2.FileDescriptorProto()
    copy.CopyFrom(file)

    def strip(message: descriptor_pb2.DescriptorProto) -> None:
        for field in message.field:
            field.ClearField("json_name")
        for nested in message.nested_type:
            strip(nested)

    for message in copy.message_type:
        strip(message)
    return copy


class StubsTest(unittest.TestCase):
    def test_imported_descriptors_equal_the_protos(self) -> None:
        protos = generate_stubs.proto_dir()
        with tempfile.TemporaryDirectory() as scratch:
            descriptor_set = Path(scratch) / "runlog.pb"
            command = [
                *generate_stubs.generator_command(),
                f"-I{protos}",
                *generate_stubs.well_known_include(),
                f"--descriptor_set_out={descriptor_set}",
                *[str(protos / "runlog" / "v1" / name) for name in generate_stubs.PROTO_FILES],
            ]
            subprocess.run(command, check=True, capture_output=True)
            current = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes())
        by_name = {file.name: file for file in current.file}
        for proto, module_name in MODULES.items():
            with self.subTest(proto=proto):
                module = importlib.import_module(module_name)
                imported = descriptor_pb2.FileDescriptorProto.FromString(module.DESCRIPTOR.serialized_pb)
                self.assertEqual(without_json_names(imported), without_json_names(by_name[f"runlog/v1/{proto}"]), f"{module.__file__} is stale: regenerate it")

    def test_service_stubs_have_every_method(self) -> None:
        for proto, module_name in MODULES.items():
            module = importlib.import_module(module_name)
            grpc_module = importlib.import_module(f"{module_name}_grpc")
            for service in module.DESCRIPTOR.services_by_name.values():
                with self.subTest(service=service.name):
                    stub_methods = set(vars(getattr(grpc_module, f"{service.name}Servicer")))
                    self.assertTrue({method.name for method in service.methods} <= stub_methods, f"{grpc_module.__file__} is stale")

    def test_generated_files_are_what_the_generator_writes_now(self) -> None:
        package = Path(importlib.import_module("runlog.v1").__file__).parent
        with tempfile.TemporaryDirectory() as scratch:
            fresh = generate_stubs.generate(Path(scratch))
            for path in fresh:
                with self.subTest(file=path.name):
                    self.assertEqual((package / path.name).read_bytes(), path.read_bytes(), f"{package / path.name} differs from a fresh generation")


if __name__ == "__main__":
    unittest.main()
