"""The texts of the users pages: key -> (Chinese, English)."""

from __future__ import annotations

USERS: dict[str, tuple[str, str]] = {
    "users.title": ("用户管理", "Users"),
    "users.tile": (
        "添加用户，设定角色、所属中心和密码",
        "Add users with their role, centre and password",
    ),
    "users.add": ("添加用户", "Add a user"),
    "users.added": ("添加时间", "Added on"),
    "users.password": ("初始密码", "First password"),
    "users.password_hint": ("留空则自动生成", "Leave empty to have one made"),
    "users.new_password": ("重设密码", "New password"),
    "users.token": ("接口令牌", "API token"),
    "users.shown_once": (
        "{name} 的密码（仅显示这一次，请转交本人）",
        "{name}'s password (shown only now; hand it over in person)",
    ),
}
