"""`yorisoi` commands that talk to LINE's platform."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.config import LINE_API_DEFAULT, Settings


def install_rich_menu(settings: Settings, png: bytes, keep_old: bool = False) -> str:
    """Create the rich menu, upload its image, make it the default; returns the new rich menu id.

    Earlier menus with the same name are deleted afterwards (unless `keep_old`), so running the command
    again after rewording the labels replaces the menu instead of piling up copies.
    """
    from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MessagingApiBlob, RichMenuRequest

    from bot.richmenu import NAME, rich_menu_definition

    api_config = Configuration(host=settings.line_api_base_url, access_token=settings.channel_access_token)
    # Image uploads go to LINE's api-data host; a local or fake LINE serves both on one base URL.
    blob_host = None if settings.line_api_base_url == LINE_API_DEFAULT else settings.line_api_base_url
    blob_config = Configuration(host=blob_host, access_token=settings.channel_access_token)
    with ApiClient(api_config) as api_client, ApiClient(blob_config) as blob_client:
        api = MessagingApi(api_client)
        blob = MessagingApiBlob(blob_client)
        request = RichMenuRequest.from_dict(rich_menu_definition())
        api.validate_rich_menu_object(request)
        menu_id = api.create_rich_menu(request).rich_menu_id
        blob.set_rich_menu_image(menu_id, body=png, _headers={"Content-Type": "image/png"})
        api.set_default_rich_menu(menu_id)
        if not keep_old:
            for menu in api.get_rich_menu_list().richmenus:
                if menu.name == NAME and menu.rich_menu_id != menu_id:
                    api.delete_rich_menu(menu.rich_menu_id)
    return menu_id


@click.command()
@click.option(
    "--image", "image_path", type=click.Path(dir_okay=False, path_type=Path), help="Also save the PNG."
)
@click.option("--dry-run", is_flag=True, help="Print the menu JSON (and save --image) without calling LINE.")
@click.option("--keep-old", is_flag=True, help="Do not delete earlier Yorisoi rich menus.")
@click.option("--local", is_flag=True, help="Install into the emulator of a running `make run` (env PORT).")
def richmenu(image_path: Path | None, dry_run: bool, keep_old: bool, local: bool) -> None:
    """Create the rich menu (制度を調べる / 質問する / 相談員に相談 / 使い方) and make it the default.

    Uses LINE_CHANNEL_ACCESS_TOKEN and LINE_API_BASE_URL; the image is drawn here with Pillow.
    """
    import urllib3
    from linebot.v3.messaging import ApiException

    from bot.richmenu import FontMissing, rich_menu_definition, rich_menu_png

    try:
        png = rich_menu_png()
    except FontMissing as error:
        raise click.ClickException(str(error)) from error
    if image_path is not None:
        image_path.write_bytes(png)
        click.echo(f"image written to {image_path}", err=True)
    if dry_run:
        click.echo(json.dumps(rich_menu_definition(), ensure_ascii=False, indent=2))
        return
    settings = Settings.from_env(local_mode=True).resolved() if local else Settings.from_env()
    if not settings.channel_access_token:
        raise click.ClickException("Set LINE_CHANNEL_ACCESS_TOKEN (and LINE_API_BASE_URL for a test server).")
    try:
        menu_id = install_rich_menu(settings, png, keep_old=keep_old)
    except ApiException as error:
        raise click.ClickException(
            f"LINE refused the rich menu (HTTP {error.status}): {error.body!r}"
        ) from error
    except (OSError, urllib3.exceptions.HTTPError) as error:
        raise click.ClickException(f"Could not reach {settings.line_api_base_url}: {error}") from error
    click.echo(menu_id)


COMMANDS: list[click.Command] = [richmenu]
