"""A minimal SMTP server that accepts every message and counts them by Message-ID (for the bench)."""

import asyncio
import json
import sys

COUNTS: dict[str, int] = {}


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"220 sink ESMTP\r\n")
    in_data, message_id = False, None
    while line := await reader.readline():
        if in_data:
            if line in (b".\r\n", b".\n"):
                in_data = False
                COUNTS[message_id or f"anon-{len(COUNTS)}"] = COUNTS.get(message_id, 0) + 1
                message_id = None
                writer.write(b"250 OK\r\n")
            elif line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
            continue
        command = line.strip().upper()
        if command.startswith((b"EHLO", b"HELO")):
            writer.write(b"250 sink\r\n")
        elif command == b"DATA":
            in_data = True
            writer.write(b"354 go ahead\r\n")
        elif command == b"QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            break
        else:
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()


async def report(path: str) -> None:
    while True:
        await asyncio.sleep(0.5)
        with open(path, "w") as out:
            json.dump({"received": sum(COUNTS.values()), "unique": len(COUNTS)}, out)


async def main(port: int, path: str) -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await asyncio.gather(server.serve_forever(), report(path))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
